/* mask: the masked forms of personal values that pages, logs and public answers show. */
#ifndef CERTHALL_MASK_H
#define CERTHALL_MASK_H

#include <stddef.h>

/* 13812341234 -> 138****1234. Anything that is not 11 digits becomes "****". */
void mask_mobile(const char *mobile, char *out, size_t outsz);

/* Resident ID: first 3 and last 4 kept: 110***********123X. Short input: "****". */
void mask_id(const char *id, char *out, size_t outsz);

/* A person's name (UTF-8, counted in code points): 张三 -> 张*, 欧阳娜娜 -> 欧**娜, one
 * character stays as is. An organisation's name: first 2 and last 4 code points kept, the
 * middle is "**" (北京某某某科技有限公司 -> 北京**有限公司); names of 6 or fewer code points
 * keep the first 2 and mask the rest. Output is truncated on a code point boundary. */
void mask_person_name(const char *name, char *out, size_t outsz);
void mask_org_name(const char *name, char *out, size_t outsz);

/* Email: first character of the local part, "***", then "@domain": a***@example.com. */
void mask_email(const char *email, char *out, size_t outsz);

/* Masks, in place, what looks personal in free text from outside (a provider's error message):
 * runs of 7 or more digits keep their first 3 and last 4 (138****1234), and the local part of
 * anything@domain keeps its first character (u***@example.com, length kept with '*'). */
void mask_text(char *s);

#endif
