/*
 * idl_test_util.h - compiling IDL held in memory, for the tests.
 *
 * A test lists its files ({name, text} pairs); the compiler reads them
 * through facet_idl_options.read_file, so no test touches the disk.
 */
#ifndef FACET_IDL_TEST_UTIL_H
#define FACET_IDL_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "facet_idl.h"

/* IUnknown as the Windows SDK's unknwn.idl declares it: a file that
 * imports it is a Windows SDK file (docs/idl.md) */
#define IDL_TEST_SDK_UNKNWN                                                         \
    "[local, object, uuid(00000000-0000-0000-C000-000000000046)]\n"                  \
    "interface IUnknown {\n"                                                         \
    "    HRESULT QueryInterface([in] REFIID riid, [out, iid_is(riid)] void **ppv);\n" \
    "    uint32_t AddRef();\n"                                                       \
    "    uint32_t Release();\n"                                                      \
    "}\n"

typedef struct idl_test_file {
    const char *name;
    const char *text;
} idl_test_file;

static int idl_test_read(const char *path, char **out, size_t *out_size, const char **reason,
                         void *payload)
{
    const idl_test_file *f;
    for (f = payload; f && f->name; f++) {
        if (strcmp(f->name, path) == 0) {
            size_t n = strlen(f->text);
            *out = malloc(n + 1);
            if (!*out) {
                *reason = "out of memory";
                return -1;
            }
            memcpy(*out, f->text, n + 1);
            *out_size = n;
            return 0;
        }
    }
    *reason = "No such file or directory";
    return -1;
}

/* Compiles files[0] (the others may be imported); returns the result. */
static facet_idl_result *idl_test_compile(const idl_test_file *files)
{
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_result *r = NULL;
    opts.read_file = idl_test_read;
    opts.read_payload = (void *)files;
    (void)facet_idl_compile(&r, files[0].name, &opts);
    return r;
}

/* "file:line:column: severity: message" of diagnostic i, in buf. */
static const char *idl_test_diag(const facet_idl_result *r, size_t i, char *buf, size_t size)
{
    const facet_idl_diag *d = facet_idl_diag_at(r, i);
    char *nl;
    if (!d)
        return "(no diagnostic)";
    facet_idl_diag_format(d, buf, size);
    nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return buf;
}

#endif /* FACET_IDL_TEST_UTIL_H */
