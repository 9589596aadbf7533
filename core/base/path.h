/*
 * core/base/path.h - paths as text: one copy for the whole project. Part
 * of the base layer (base.h includes it); the IDL compiler, which has a
 * base.h of its own, includes this one alone.
 */
#ifndef FACET_CORE_BASE_PATH_H
#define FACET_CORE_BASE_PATH_H

#include "base.h" /* FACET_INTERNAL */

/* ---- Paths (path.c) ---------------------------------------------------- *
 *
 * Paths are UTF-8 text in which '/' and, on every platform, '\\' separate
 * components: a manifest written on one system is read on the others. They
 * are only text here; what they name is the os layer's business. */

/* The last component of path: what follows its last separator (all of it
 * when it has none). The name a message uses for a file. */
FACET_INTERNAL const char *facet__path_basename(const char *path);

/* The length of the folder part of path, the text before its last
 * separator, and whether path has one (*has_dir). */
FACET_INTERNAL size_t facet__path_dirname_len(const char *path, int *has_dir);

/* The folder part of path: "." when it has none, "/" for a file in the
 * root. From facet__malloc; NULL when out of memory. */
FACET_INTERNAL char *facet__path_dirname(const char *path);

/* dir, a '/', and name. From facet__malloc; NULL when out of memory. */
FACET_INTERNAL char *facet__path_join(const char *dir, const char *name);

/* Nonzero when path does not depend on the folder it is read from: it
 * starts with a separator or a drive ("C:"). The same on every platform,
 * since a manifest or a configuration must mean the same everywhere. */
FACET_INTERNAL int facet__path_is_absolute(const char *path);

/* Rewrites path in place without "." components, with each ".." taking
 * back the component before it ("/.." is "/"; a relative path keeps the
 * leading ".." it cannot take back), separators as single '/', and no
 * trailing one: "/data/./x/../y/" is "/data/y", "" is ".". Only text: a
 * symbolic link is not followed. Returns the new length. */
FACET_INTERNAL size_t facet__path_normalize(char *path);

#endif /* FACET_CORE_BASE_PATH_H */
