#!/bin/sh
# The program's own words in Chinese and English: every string has its
# translation, and the language follows --lang, the config and LANG.
. tests/e2e/lib.sh

# Every translatable string of the sources is in the Chinese catalog,
# translated and not fuzzy.
xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --no-location \
    -o "$WORK/now.pot" main.c tui/*.c core/*.c
check "the Chinese catalog has every string of the sources" \
    msgcmp locale/zh_CN.po "$WORK/now.pot"
msgfmt --check --statistics -o /dev/null locale/zh_CN.po 2>"$WORK/stats"
check "and all are translated, none fuzzy" sh -c "grep -q 'translated messages.\$' $WORK/stats && ! grep -qE 'fuzzy|untranslated' $WORK/stats"

"$BIN" --lang zh --check tests/forms/broken.yaml 2>"$WORK/err"
check "form errors in Chinese, at the same places" grep -q "broken.yaml:11:11: error: 未知类型 'interger'（是不是 'integer'？）" "$WORK/err"
"$BIN" --lang zh --db "$WORK/x.db" --upload >/dev/null 2>"$WORK/err"
check "upload messages in Chinese" grep -q "需要服务器地址" "$WORK/err"
"$BIN" --lang zh --help >"$WORK/out" 2>&1
check "--help in Chinese" grep -q "用法：doorstep" "$WORK/out"
LC_ALL= LANG=zh_CN.UTF-8 "$BIN" --help >"$WORK/out" 2>&1
check "LANG=zh_CN.UTF-8 gives Chinese, even where that locale is not installed" grep -q "用法" "$WORK/out"
LANG=zh_CN.UTF-8 LC_ALL= "$BIN" --lang en --help >"$WORK/out" 2>&1
check "--lang en wins over LANG" grep -q "^Usage: doorstep" "$WORK/out"
mkdir -p "$WORK/config/doorstep"
printf 'lang: zh\n' > "$WORK/config/doorstep/config.yaml"
"$BIN" --frobnicate 2>"$WORK/err"
"$BIN" --db "$WORK/x.db" --export 2>"$WORK/err" >/dev/null
check "the config's lang: zh" grep -q "已导出 0 条记录" "$WORK/err"
rm "$WORK/config/doorstep/config.yaml"

start 80 24 "$BIN --db $WORK/d.db --forms forms --lang zh"
expect "doorstep：家庭需求评估"
expect "1. 新访谈"
expect "3. 家庭登记（0 户在案）"
expect "5. 轮次：未选择"
expect "没有等待上传的访谈。"
keys Enter
expect "新访谈：哪个家庭？"
keys Down Enter
# No round is known: it is asked, in Chinese; an empty line is no round.
expect "本次访谈属于哪一轮？"
keys Enter
expect "无轮次  第 1 部分（共 "
keys Enter
expect "受访者是否同意接受访谈？"
expect "（必答）"
expect "Enter 确认  ^P 上一题  ^N 下一题  ^R 查看"
keys C-n
expect "这道题必须回答"
# Ctrl-T switches the form's labels; the program's own words stay.
keys C-t
expect "Does the respondent agree to the interview?"
expect "问卷语言：English"
keys C-g
expect "帮助：按键"
expect "确认答案并继续；在列表中选择高亮的选项"
keys Enter
keys C-x
# Nothing was answered: no draft is kept, and that is said in Chinese.
expect "没有回答任何问题：未保留草稿。"
# A label the form lacks in English shows in Chinese, marked as such.
start 80 24 "$BIN --round R1 --db $WORK/p.db --forms tests/forms/fallback --lang en"
expect "New interview"
keys Enter Down Enter
expect "只有中文的问题 [zh]"
keys Enter
expect "Both languages"
check "a label the form has is not marked" not_shown 'Both languages ['
keys C-x
finish
