/*
 * sdk.c - real Windows SDK IDL files (Wine's, from libwine-dev) compile, and
 * the vtables (method names in slot order, base methods included) and the
 * GUIDs agree with what widl generates for the same file.
 *
 * Both headers are read back the same way: each "typedef struct XVtbl {"
 * block gives X's slots, each DEFINE_GUID(...) a named GUID. Without widl
 * or the SDK files the cases are skipped.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facet_idl.h"

#ifndef FACET_WIDL
#define FACET_WIDL ""
#endif
#ifndef FACET_SDK_IDL_DIR
#define FACET_SDK_IDL_DIR "/usr/include/wine/wine/windows"
#endif
#ifndef FACET_TEST_TMP
#define FACET_TEST_TMP "."
#endif

/* What the test compares: at least 30 files, base ones and big ones. */
static const char *const sdk_files[] = {
    "unknwn.idl", "objidlbase.idl", "objidl.idl", "wtypes.idl", "oaidl.idl", "ocidl.idl",
    "oleidl.idl", "servprov.idl", "urlmon.idl", "propidl.idl", "d3d11.idl", "d3d10.idl",
    "d3d10_1.idl", "d3d11_1.idl", "d3dcommon.idl", "dxgi.idl", "dxgi1_2.idl", "dxgitype.idl",
    "xmllite.idl", "msxml2.idl", "mmdeviceapi.idl", "audioclient.idl", "dwrite.idl",
    "dwrite_1.idl", "wincodec.idl", "shobjidl.idl", "strmif.idl", "control.idl",
    "mfobjects.idl", "mfidl.idl", "comcat.idl", "docobj.idl", "activscp.idl", "objsafe.idl",
    "bits.idl", "netlistmgr.idl", "taskschd.idl", "wbemcli.idl", "sapi.idl", "msctf.idl",
    "d2d1.idl", "dcommon.idl", "dxva2api.idl", "endpointvolume.idl", "mimeole.idl",
    "vmr9.idl", "amstream.idl", "ctxtcall.idl", "dispex.idl", "exdisp.idl",
    "textstor.idl", "optary.idl", "hlink.idl", "msxml6.idl", "devicetopology.idl",
    "propsys.idl", "shtypes.idl", "uiautomationcore.idl", NULL};

typedef struct names {
    char **items;
    size_t count, cap;
} names;

static void names_add(names *n, const char *s, size_t len)
{
    if (n->count == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 16;
        n->items = realloc(n->items, n->cap * sizeof(char *));
        assert_non_null(n->items);
    }
    n->items[n->count] = malloc(len + 1);
    assert_non_null(n->items[n->count]);
    memcpy(n->items[n->count], s, len);
    n->items[n->count][len] = '\0';
    n->count++;
}

static void names_free(names *n)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof(*n));
}

static size_t ident_len(const char *s)
{
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

/* Every vtable as "X: A B C", and every GUID as "NAME=hex...". */
static void scan_header(const char *text, names *vtables, names *guids)
{
    const char *p = text;
    while ((p = strstr(p, "typedef struct ")) != NULL) {
        const char *name = p + 15, *end;
        size_t len = ident_len(name);
        char line[16384];
        size_t used;
        p = name + len;
        if (len < 5 || strncmp(name + len - 4, "Vtbl", 4) != 0 || strncmp(p, " {", 2) != 0)
            continue;
        end = strstr(p, "} ");
        if (!end)
            break;
        used = (size_t)snprintf(line, sizeof line, "%.*s:", (int)(len - 4), name);
        for (;;) {
            const char *m = strstr(p, "*");
            size_t ml;
            if (!m || m > end)
                break;
            /* "(STDMETHODCALLTYPE *Name)(" or "(FACET_CALL *Name)(" */
            ml = ident_len(m + 1);
            if (ml && m[1 + ml] == ')' && m[2 + ml] == '(' && used + ml + 2 < sizeof line)
                used += (size_t)snprintf(line + used, sizeof line - used, " %.*s", (int)ml, m + 1);
            p = m + 1;
        }
        names_add(vtables, line, used);
        p = end;
    }
    for (p = text; (p = strstr(p, "DEFINE_GUID(")) != NULL;) {
        const char *name = p + 12, *q;
        size_t len = ident_len(name);
        char line[256];
        int i, used;
        unsigned long v[11];
        q = name + len;
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_') &&
            strncmp(p - 6, "FACET_", 6) != 0) {
            p = q;
            continue;
        }
        if (strncmp(q, ", 0x", 4) != 0) { /* a macro definition, not a GUID */
            p = q;
            continue;
        }
        for (i = 0; i < 11; i++) {
            while (*q == ',' || isspace((unsigned char)*q))
                q++;
            v[i] = strtoul(q, (char **)&q, 16);
        }
        used = snprintf(line, sizeof line, "%.*s=%08lx-%04lx-%04lx", (int)len, name, v[0], v[1], v[2]);
        for (i = 3; i < 11; i++)
            used += snprintf(line + used, sizeof line - (size_t)used, "%02lx", v[i]);
        names_add(guids, line, (size_t)used);
        p = q;
    }
}

static int has(const names *n, const char *s)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (strcmp(n->items[i], s) == 0)
            return 1;
    return 0;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (data) {
        size_t got = fread(data, 1, (size_t)n, f);
        data[got] = '\0';
    }
    fclose(f);
    return data;
}

static int run_widl(const char *file, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "\"%s\" -I \"%s\" -h -o \"%s\" \"%s/%s\" >/dev/null 2>&1",
             FACET_WIDL, FACET_SDK_IDL_DIR, out, FACET_SDK_IDL_DIR, file);
    return system(cmd);
}

static void check_file(void **state)
{
    const char *file = *state;
    char path[1024], out[1024];
    const char *dirs[1] = {FACET_SDK_IDL_DIR};
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_result *r = NULL;
    names wv = {0}, wg = {0}, fv = {0}, fg = {0};
    char *widl_h;
    size_t i;
    if (!FACET_WIDL[0])
        skip();
    snprintf(path, sizeof path, "%s/%s", FACET_SDK_IDL_DIR, file);
    snprintf(out, sizeof out, "%s/widl_%s.h", FACET_TEST_TMP, file);
    assert_int_equal(run_widl(file, out), 0);
    widl_h = read_all(out);
    assert_non_null(widl_h);
    opts.include_dirs = dirs;
    opts.include_dir_count = 1;
    if (facet_idl_compile(&r, path, &opts) != 0) {
        char buf[2048];
        strcpy(buf, "no diagnostic");
        for (i = 0; i < facet_idl_diag_count(r); i++)
            if (facet_idl_diag_at(r, i)->severity == FACET_IDL_ERROR) {
                facet_idl_diag_format(facet_idl_diag_at(r, i), buf, sizeof buf);
                break;
            }
        fail_msg("%s does not compile: %s", file, buf);
    }
    scan_header(widl_h, &wv, &wg);
    scan_header(facet_idl_output_at(r, 0)->data, &fv, &fg);
    for (i = 0; i < wv.count; i++) {
        if (strncmp(wv.items[i], "IUnknown:", 9) == 0)
            continue; /* IUnknown is abi.h's IFacetUnknown */
        if (!has(&fv, wv.items[i]))
            fail_msg("%s: widl's vtable\n  %s\nis not in facet-idl's output", file, wv.items[i]);
    }
    for (i = 0; i < wg.count; i++) {
        if (strncmp(wg.items[i], "IID_IUnknown=", 13) == 0)
            continue;
        if (!has(&fg, wg.items[i]))
            fail_msg("%s: widl's GUID %s is not in facet-idl's output", file, wg.items[i]);
    }
    names_free(&wv);
    names_free(&wg);
    names_free(&fv);
    names_free(&fg);
    free(widl_h);
    remove(out);
    facet_idl_result_free(r);
}

int main(void)
{
    struct CMUnitTest tests[sizeof sdk_files / sizeof sdk_files[0]];
    size_t i, n = 0;
    char name[64][128];
    for (i = 0; sdk_files[i]; i++) {
        snprintf(name[n], sizeof name[n], "test_idl_sdk__%s", sdk_files[i]);
        tests[n].name = name[n];
        tests[n].test_func = check_file;
        tests[n].setup_func = NULL;
        tests[n].teardown_func = NULL;
        tests[n].initial_state = (void *)sdk_files[i];
        n++;
    }
    return _cmocka_run_group_tests("test_idl_sdk", tests, n, NULL, NULL);
}
