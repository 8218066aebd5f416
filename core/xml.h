/* What an OpenRosa server reads: the XML instance of a record, and the
 * XForm of a form (for publishing it on ODK Central or KoboToolbox). */
#ifndef DOORSTEP_XML_H
#define DOORSTEP_XML_H

#include "form.h"
#include "interview.h"
#include "store.h"

/* The record as an XForms instance: root element named after the form
 * with id and version, groups nested, repeat entries repeated, relevant
 * questions only, <meta> with the instanceID and the household, round,
 * site and interviewer. Returns a new string. */
char *xml_instance(const struct interview *iv, const struct record_info *rec);
/* The same with meta_tail (XML, or NULL) at the end of <meta>: the
 * record's entity block (core/entity.h). */
char *xml_instance_meta(const struct interview *iv,
    const struct record_info *rec, const char *meta_tail);

/* The form as an ODK XForm (h:html with model, itext, binds and body). */
char *xml_xform(const struct form *f);

/* Appends s to b escaped for XML text and attributes; characters XML 1.0
 * cannot hold become U+FFFD. */
void xml_escape(struct buf *b, const char *s);

#endif
