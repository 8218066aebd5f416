/* Marking strings for translation (gettext, text domain "doorstep"). */
#ifndef DOORSTEP_I18N_H
#define DOORSTEP_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
