#include "xml.h"

#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "text.h"
#include "util.h"

/* A byte xml_escape keeps as it is, alone. */
static bool
plain_ascii(unsigned char c)
{
	if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
		return false;
	return c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

void
xml_escape(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = 0;

		while (i + len < n && plain_ascii((unsigned char)s[i + len]))
			len++;
		/* Plain ASCII as it is, in one piece. */
		if (len > 0) {
			buf_add(b, s + i, len);
			i += len;
			continue;
		}
		len = text_decode(s + i, n - i, &cp);

		switch (cp) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&apos;");
			break;
		default:
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
			    cp == 0xFFFE || cp == 0xFFFF)
				buf_adds(b, "\xEF\xBF\xBD");
			else
				buf_add(b, s + i, len);
		}
		i += len;
	}
}

/* The direct child group of parent that holds question q, or NULL when q
 * sits directly in parent. */
static const struct group *
child_group(const struct question *q, const struct group *parent)
{
	const struct group *g = q->group;

	while (g != NULL && g->parent != parent)
		g = g->parent;
	return g;
}

/* An element's tag, indented by depth: open "<" or "</", then name and
 * end (or nothing). */
static void
tag(struct buf *b, int depth, const char *open, const char *name,
    const char *end)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2;

	for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
		buf_add(b, spaces, sizeof spaces - 1);
	buf_add(b, spaces, n);
	buf_adds(b, open);
	buf_adds(b, name);
	if (end != NULL)
		buf_adds(b, end);
}

static void
instance_range(struct buf *b, const struct interview *iv, size_t from,
    size_t to, const struct group *parent, long entry, int depth)
{
	const struct form *f = iv->form;
	size_t i = from;

	while (i < to) {
		const struct question *q = f->questions[i];
		const struct group *g = child_group(q, parent);

		if (g == NULL) {
			if (interview_relevant(iv, i, entry)) {
				const char *v = question_has_value(q) ?
				    interview_value(iv, i, entry) : NULL;

				tag(b, depth, "<", q->name, NULL);
				if (v == NULL || *v == '\0')
					buf_add(b, "/>\n", 3);
				else {
					buf_addc(b, '>');
					xml_escape(b, v);
					tag(b, 0, "</", q->name, ">\n");
				}
			}
			i++;
			continue;
		}
		if (g->repeat) {
			if (interview_group_relevant(iv, g, 0)) {
				long n = interview_entries(iv, g), e;

				for (e = 1; e <= n; e++) {
					tag(b, depth, "<", g->name, ">\n");
					instance_range(b, iv, g->first, g->end, g, e, depth + 1);
					tag(b, depth, "</", g->name, ">\n");
				}
			}
		} else if (interview_group_relevant(iv, g, entry)) {
			tag(b, depth, "<", g->name, ">\n");
			instance_range(b, iv, g->first, g->end, g, entry, depth + 1);
			tag(b, depth, "</", g->name, ">\n");
		}
		i = g->end > i ? g->end : i + 1;
	}
}

static void
meta_field(struct buf *b, const char *name, const char *value)
{
	tag(b, 2, "<", name, ">");
	xml_escape(b, value ? value : "");
	tag(b, 0, "</", name, ">\n");
}

/* s without spaces around it (in place). */
static char *
trim_spaces(char *s)
{
	char *p = s + strspn(s, " "), *end = p + strlen(p);

	while (end > p && end[-1] == ' ')
		end--;
	*end = '\0';
	memmove(s, p, (size_t)(end - p) + 1);
	return s;
}

struct name_ctx {
	const struct interview *iv;
	const struct record_info *rec;
};

/* A value for the instance name: a question's answer or a record field. */
static const char *
name_value(void *ctx, const char *name, long q)
{
	const struct name_ctx *nc = ctx;

	if (q >= 0)
		return interview_value(nc->iv, (size_t)q, 0);
	if (strcmp(name, "household") == 0)
		return nc->rec->household;
	if (strcmp(name, "round") == 0)
		return nc->rec->round;
	if (strcmp(name, "site") == 0)
		return nc->rec->site;
	return nc->rec->interviewer;
}

char *
xml_instance(const struct interview *iv, const struct record_info *rec)
{
	return xml_instance_meta(iv, rec, NULL);
}

char *
xml_instance_meta(const struct interview *iv, const struct record_info *rec,
    const char *meta_tail)
{
	const struct form *f = iv->form;
	struct name_ctx nc = { iv, rec };
	struct buf b = { 0 };
	char now[40], *name, *device;

	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(&b, "<%s xmlns:jr=\"http://openrosa.org/javarosa\" "
	    "xmlns:orx=\"http://openrosa.org/xforms\" id=\"", f->id);
	xml_escape(&b, f->id);
	buf_adds(&b, "\" version=\"");
	xml_escape(&b, f->version);
	buf_adds(&b, "\">\n");
	instance_range(&b, iv, 0, f->nquestions, NULL, 0, 1);
	/* ODK's metadata (as XLSForm's start, end, deviceid and username
	 * write it), then doorstep's own. */
	iso8601_now(now, sizeof now);
	name = form_instance_name(f, name_value, &nc, false);
	device = store_device_id(iv->store);
	buf_adds(&b, "  <meta>\n");
	meta_field(&b, "instanceID", rec->instance_id);
	meta_field(&b, "instanceName", name ? trim_spaces(name) : NULL);
	meta_field(&b, "timeStart", rec->started_at);
	meta_field(&b, "timeEnd", rec->finalized_at ? rec->finalized_at : now);
	meta_field(&b, "deviceID", device);
	meta_field(&b, "username", rec->interviewer);
	if (f->audit)
		meta_field(&b, "audit", "audit.csv");
	meta_field(&b, "household", rec->household);
	meta_field(&b, "round", rec->round);
	meta_field(&b, "site", rec->site);
	meta_field(&b, "interviewer", rec->interviewer);
	if (meta_tail != NULL)
		buf_adds(&b, meta_tail);
	buf_adds(&b, "  </meta>\n");
	buf_printf(&b, "</%s>\n", f->id);
	free(name);
	free(device);
	return buf_steal(&b);
}

/* The XForm. */

struct xform {
	const struct form *f;
	struct buf b;
	char *scratch;		/* the last path name_path gave */
};

/* The absolute path of a question or group in the instance. */
static char *
path_of(const struct form *f, const char *name, const struct group *g)
{
	struct buf b = { 0 };
	const struct group *chain[64];
	size_t n = 0;

	for (; g != NULL && n < ARRAY_LEN(chain); g = g->parent)
		chain[n++] = g;
	buf_printf(&b, "/%s", f->id);
	while (n > 0)
		buf_printf(&b, "/%s", chain[--n]->name);
	if (name != NULL)
		buf_printf(&b, "/%s", name);
	return buf_steal(&b);
}

static char *
question_path(const struct form *f, const struct question *q)
{
	return path_of(f, q->name, q->group);
}

struct ref_pos {
	size_t pos;
	size_t len;
	char *path;
};

struct ref_list {
	const struct form *f;
	struct ref_pos *v;
	size_t n;
};

static void
collect_ref(void *ctx, struct expr *e)
{
	struct ref_list *l = ctx;
	char *path;

	if (e->ref < 0)
		return;
	if (e->ref_is_repeat) {
		const struct group *g = l->f->groups[e->ref];

		path = path_of(l->f, NULL, g);
	} else
		path = question_path(l->f, l->f->questions[e->ref]);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].pos = e->pos;
	l->v[l->n].len = strlen(e->str) + 3;
	l->v[l->n].path = path;
	l->n++;
}

static int
ref_pos_cmp(const void *a, const void *b)
{
	const struct ref_pos *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* An expression as XPath: each ${name} becomes the path of its node. */
static char *
xpath(const struct form *f, const char *src, struct expr *e)
{
	struct ref_list l = { f, NULL, 0 };
	struct buf b = { 0 };
	size_t i, at = 0;

	expr_walk_refs(e, collect_ref, &l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, ref_pos_cmp);
	for (i = 0; i < l.n; i++) {
		buf_add(&b, src + at, l.v[i].pos - at);
		buf_adds(&b, l.v[i].path);
		at = l.v[i].pos + l.v[i].len;
		free(l.v[i].path);
	}
	buf_adds(&b, src + at);
	free(l.v);
	return buf_steal(&b);
}

static void
attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	xml_escape(b, value);
	buf_addc(b, '"');
}

static void
attr_xpath(struct xform *x, const char *name, const char *src, struct expr *e)
{
	char *p;

	if (src == NULL || e == NULL)
		return;
	p = xpath(x->f, src, e);
	attr(&x->b, name, p);
	free(p);
}

static const char *
bind_type(const struct question *q)
{
	switch (q->type) {
	case QT_INTEGER:
		return "int";
	case QT_DECIMAL:
		return "decimal";
	case QT_DATE:
		return "date";
	default:
		return "string";
	}
}

/* One <text> of the itext for a language, when the form has that text. */
static void
itext(struct xform *x, const char *id, const struct mtext *m, const char *lang)
{
	if (m->n == 0)
		return;
	buf_adds(&x->b, "          <text");
	attr(&x->b, "id", id);
	buf_adds(&x->b, "><value>");
	xml_escape(&x->b, form_text(x->f, m, lang));
	buf_adds(&x->b, "</value></text>\n");
}

static void
itexts(struct xform *x, const char *lang)
{
	const struct form *f = x->f;
	size_t i, j;

	for (i = 0; i < f->ngroups; i++) {
		char *p = path_of(f, NULL, f->groups[i]), *id = xasprintf("%s:label", p);

		itext(x, id, &f->groups[i]->label, lang);
		free(id);
		free(p);
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct question *q = f->questions[i];
		char *p = question_path(f, q), *id;

		id = xasprintf("%s:label", p);
		itext(x, id, &q->label, lang);
		free(id);
		id = xasprintf("%s:hint", p);
		itext(x, id, &q->hint, lang);
		free(id);
		id = xasprintf("%s:jr:constraintMsg", p);
		itext(x, id, &q->constraint_message, lang);
		free(id);
		id = xasprintf("%s:jr:requiredMsg", p);
		itext(x, id, &q->required_message, lang);
		free(id);
		for (j = 0; q->choices != NULL && j < q->choices->n; j++) {
			id = xasprintf("%s/%s:label", p, q->choices->v[j].value);
			itext(x, id, &q->choices->v[j].label, lang);
			free(id);
		}
		free(p);
	}
}

static void
instance_skeleton(struct xform *x, size_t from, size_t to,
    const struct group *parent, int depth)
{
	const struct form *f = x->f;
	size_t i = from;

	while (i < to) {
		const struct question *q = f->questions[i];
		const struct group *g = child_group(q, parent);

		if (g == NULL) {
			buf_printf(&x->b, "%*s<%s", depth * 2, "", q->name);
			/* default: today, as ODK fills a date when a form opens. */
			if (q->default_today)
				buf_adds(&x->b, " jr:preload=\"date\" "
				    "jr:preloadParams=\"today\"");
			if (q->default_value != NULL) {
				buf_addc(&x->b, '>');
				xml_escape(&x->b, q->default_value);
				buf_printf(&x->b, "</%s>\n", q->name);
			} else
				buf_adds(&x->b, "/>\n");
			i++;
			continue;
		}
		buf_printf(&x->b, "%*s<%s%s>\n", depth * 2, "", g->name,
		    g->repeat ? " jr:template=\"\"" : "");
		instance_skeleton(x, g->first, g->end, g, depth + 1);
		buf_printf(&x->b, "%*s</%s>\n", depth * 2, "", g->name);
		i = g->end > i ? g->end : i + 1;
	}
}

/* A question's path, for the instance name's XPath. */
static const char *
name_path(void *ctx, const char *name, long q)
{
	struct xform *x = ctx;

	(void)name;
	free(x->scratch);
	x->scratch = question_path(x->f, x->f->questions[q]);
	return x->scratch;
}

/* The ODK metadata as pyxform declares it: Collect and Enketo fill them
 * in, Central shows the instance name in its submission list. */
static void
binds_meta(struct xform *x)
{
	const struct form *f = x->f;
	char *name = form_instance_name(f, name_path, x, true);

	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/instanceName\" "
	    "type=\"string\"", f->id);
	attr(&x->b, "calculate", name ? name : "''");
	buf_adds(&x->b, "/>\n");
	free(name);
	free(x->scratch);
	x->scratch = NULL;
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/timeStart\" "
	    "type=\"dateTime\" jr:preload=\"timestamp\" "
	    "jr:preloadParams=\"start\"/>\n", f->id);
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/timeEnd\" "
	    "type=\"dateTime\" jr:preload=\"timestamp\" "
	    "jr:preloadParams=\"end\"/>\n", f->id);
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/deviceID\" "
	    "type=\"string\" jr:preload=\"property\" "
	    "jr:preloadParams=\"deviceid\"/>\n", f->id);
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/username\" "
	    "type=\"string\" jr:preload=\"property\" "
	    "jr:preloadParams=\"username\"/>\n", f->id);
	if (f->audit)
		buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/audit\" "
		    "type=\"binary\" odk:track-changes=\"true\" "
		    "odk:identify-user=\"true\"/>\n", f->id);
}

static void
binds(struct xform *x)
{
	const struct form *f = x->f;
	bool saveto;
	size_t i;

	for (i = 0; i < f->ngroups; i++) {
		const struct group *g = f->groups[i];
		char *p;

		if (g->relevant == NULL)
			continue;
		p = path_of(f, NULL, g);
		buf_adds(&x->b, "      <bind");
		attr(&x->b, "nodeset", p);
		attr_xpath(x, "relevant", g->relevant_src, g->relevant);
		buf_adds(&x->b, "/>\n");
		free(p);
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct question *q = f->questions[i];
		char *p = question_path(f, q), *id;

		buf_adds(&x->b, "      <bind");
		attr(&x->b, "nodeset", p);
		attr(&x->b, "type", bind_type(q));
		if (q->type == QT_NOTE)
			attr(&x->b, "readonly", "true()");
		attr_xpath(x, "relevant", q->relevant_src, q->relevant);
		attr_xpath(x, "constraint", q->constraint_src, q->constraint);
		attr_xpath(x, "calculate", q->calculation_src, q->calculation);
		if (q->required_if != NULL)
			attr_xpath(x, "required", q->required_src, q->required_if);
		else if (q->required)
			attr(&x->b, "required", "true()");
		if (q->constraint_message.n > 0) {
			id = xasprintf("jr:itext('%s:jr:constraintMsg')", p);
			attr(&x->b, "jr:constraintMsg", id);
			free(id);
		}
		if (q->required_message.n > 0) {
			id = xasprintf("jr:itext('%s:jr:requiredMsg')", p);
			attr(&x->b, "jr:requiredMsg", id);
			free(id);
		}
		if (q->save_to != NULL && f->entity_dataset != NULL)
			attr(&x->b, "entities:saveto", q->save_to);
		buf_adds(&x->b, "/>\n");
		free(p);
	}
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/instanceID\" type=\"string\" "
	    "readonly=\"true()\" jr:preload=\"uid\"/>\n", f->id);
	binds_meta(x);
	/* The register's code, round and site are entity properties too. */
	saveto = f->entity_dataset != NULL;
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/household\" type=\"string\" "
	    "readonly=\"true()\"%s/>\n", f->id, saveto ?
	    " entities:saveto=\"code\"" : "");
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/round\" type=\"string\" "
	    "readonly=\"true()\"%s/>\n", f->id, saveto ?
	    " entities:saveto=\"round\"" : "");
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/site\" type=\"string\" "
	    "readonly=\"true()\"%s/>\n", f->id, saveto ?
	    " entities:saveto=\"site\"" : "");
	buf_printf(&x->b, "      <bind nodeset=\"/%s/meta/interviewer\" type=\"string\" "
	    "readonly=\"true()\"/>\n", f->id);
	entity_xform_binds(&x->b, f);
}

static void
label_ref(struct xform *x, const char *path, const char *what, int depth)
{
	buf_printf(&x->b, "%*s<%s ref=\"jr:itext('", depth * 2, "", what);
	xml_escape(&x->b, path);
	buf_printf(&x->b, ":%s')\"/>\n", what);
}

static void
body_range(struct xform *x, size_t from, size_t to, const struct group *parent,
    int depth)
{
	const struct form *f = x->f;
	size_t i = from, j;

	while (i < to) {
		const struct question *q = f->questions[i];
		const struct group *g = child_group(q, parent);

		if (g != NULL) {
			char *p = path_of(f, NULL, g);

			buf_printf(&x->b, "%*s<group ref=\"%s\">\n", depth * 2, "", p);
			label_ref(x, p, "label", depth + 1);
			if (g->repeat) {
				buf_printf(&x->b, "%*s<repeat nodeset=\"%s\"", (depth + 1) * 2, "",
				    p);
				attr_xpath(x, "jr:count", g->count_src, g->count);
				buf_adds(&x->b, ">\n");
				body_range(x, g->first, g->end, g, depth + 2);
				buf_printf(&x->b, "%*s</repeat>\n", (depth + 1) * 2, "");
			} else
				body_range(x, g->first, g->end, g, depth + 1);
			buf_printf(&x->b, "%*s</group>\n", depth * 2, "");
			free(p);
			i = g->end > i ? g->end : i + 1;
			continue;
		}
		if (q->type != QT_CALCULATE) {
			char *p = question_path(f, q);
			const char *control = q->type == QT_SELECT_ONE ? "select1" :
			    q->type == QT_SELECT_MULTIPLE ? "select" : "input";

			buf_printf(&x->b, "%*s<%s ref=\"%s\"", depth * 2, "", control, p);
			if (q->appearance != NULL)
				attr(&x->b, "appearance", q->appearance);
			buf_adds(&x->b, ">\n");
			label_ref(x, p, "label", depth + 1);
			if (q->hint.n > 0)
				label_ref(x, p, "hint", depth + 1);
			for (j = 0; q->choices != NULL && j < q->choices->n; j++) {
				char *cp = xasprintf("%s/%s", p, q->choices->v[j].value);

				buf_printf(&x->b, "%*s<item>\n", (depth + 1) * 2, "");
				label_ref(x, cp, "label", depth + 2);
				buf_printf(&x->b, "%*s<value>", (depth + 2) * 2, "");
				xml_escape(&x->b, q->choices->v[j].value);
				buf_adds(&x->b, "</value>\n");
				buf_printf(&x->b, "%*s</item>\n", (depth + 1) * 2, "");
				free(cp);
			}
			buf_printf(&x->b, "%*s</%s>\n", depth * 2, "", control);
			free(p);
		}
		i++;
	}
}

char *
xml_xform(const struct form *f)
{
	struct xform x = { f, { 0 }, NULL };
	size_t i;

	buf_adds(&x.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<h:html xmlns=\"http://www.w3.org/2002/xforms\" "
	    "xmlns:h=\"http://www.w3.org/1999/xhtml\" "
	    "xmlns:jr=\"http://openrosa.org/javarosa\" "
	    "xmlns:orx=\"http://openrosa.org/xforms\" "
	    "xmlns:odk=\"http://www.opendatakit.org/xforms\" "
	    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"");
	if (f->entity_dataset != NULL)
		buf_adds(&x.b, " xmlns:entities=\"http://www.opendatakit.org/xforms/"
		    "entities\"");
	buf_adds(&x.b, ">\n  <h:head>\n    <h:title>");
	xml_escape(&x.b, form_text(f, &f->title, NULL));
	buf_adds(&x.b, "</h:title>\n    <model");
	if (f->entity_dataset != NULL)
		buf_adds(&x.b, " entities:entities-version=\"" ENTITY_SPEC_VERSION "\"");
	buf_adds(&x.b, ">\n      <itext>\n");
	for (i = 0; i < (f->nlanguages ? f->nlanguages : 1); i++) {
		const char *lang = f->nlanguages ? f->languages[i] : "default";

		buf_adds(&x.b, "        <translation");
		attr(&x.b, "lang", lang);
		if (i == 0)
			attr(&x.b, "default", "true()");
		buf_adds(&x.b, ">\n");
		itexts(&x, f->nlanguages ? lang : NULL);
		buf_adds(&x.b, "        </translation>\n");
	}
	buf_adds(&x.b, "      </itext>\n      <instance>\n");
	buf_printf(&x.b, "        <%s id=\"", f->id);
	xml_escape(&x.b, f->id);
	buf_adds(&x.b, "\" version=\"");
	xml_escape(&x.b, f->version);
	buf_adds(&x.b, "\">\n");
	instance_skeleton(&x, 0, f->nquestions, NULL, 5);
	buf_adds(&x.b, "          <meta>\n            <instanceID/>\n"
	    "            <instanceName/>\n            <timeStart/>\n"
	    "            <timeEnd/>\n            <deviceID/>\n"
	    "            <username/>\n");
	if (f->audit)
		buf_adds(&x.b, "            <audit/>\n");
	buf_adds(&x.b, "            <household/>\n            <round/>\n"
	    "            <site/>\n            <interviewer/>\n");
	entity_xform_meta(&x.b, f);
	buf_adds(&x.b, "          </meta>\n");
	buf_printf(&x.b, "        </%s>\n      </instance>\n", f->id);
	entity_xform_instance(&x.b, f);
	binds(&x);
	/* A sealed form: ODK Central and Collect read the key here, inside
	 * <model>, and then take only encrypted submissions. */
	if (f->public_key != NULL) {
		buf_adds(&x.b, "      <submission method=\"post\" base64RsaPublicKey=\"");
		xml_escape(&x.b, f->public_key);
		buf_adds(&x.b, "\"/>\n");
	}
	buf_adds(&x.b, "    </model>\n  </h:head>\n  <h:body>\n");
	body_range(&x, 0, f->nquestions, NULL, 2);
	buf_adds(&x.b, "  </h:body>\n</h:html>\n");
	return buf_steal(&x.b);
}
