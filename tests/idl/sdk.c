/*
 * sdk.c - real Windows SDK IDL files (Wine's, from libwine-dev).
 *
 * For each file of the set:
 *   - facet-idl accepts it, or refuses it with the error expected;
 *   - the vtables (method names in slot order, base methods included) and
 *     the GUIDs of its header agree with widl's header for the same file;
 *   - its header compiles as C and as C++ with MinGW on the platform's
 *     headers (Wine's SDK headers and C library as the system headers),
 *     the folder of facet-idl's headers first, as docs/idl.md says they
 *     are used together. Where facet-idl's header does not compile, widl's
 *     header for the same file is compiled in the same setting: only where
 *     widl's compiles is it a failure.
 *
 * `test_idl_sdk` checks a representative set and compiles part of it;
 * `test_idl_sdk --all` (label slow) takes every .idl of the folder and
 * prints how many are accepted and how many of those compile. Without
 * widl, MinGW or the SDK files it prints SKIPPED and the reason, and exits
 * 77 (ctest's SKIP_RETURN_CODE).
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "facet_idl.h"

#ifndef FACET_WIDL
#define FACET_WIDL ""
#endif
#ifndef FACET_MINGW_CC
#define FACET_MINGW_CC ""
#endif
#ifndef FACET_MINGW_CXX
#define FACET_MINGW_CXX ""
#endif
#ifndef FACET_SDK_IDL_DIR
#define FACET_SDK_IDL_DIR ""
#endif
#ifndef FACET_SDK_CRT_DIR
#define FACET_SDK_CRT_DIR ""
#endif
#ifndef FACET_INCLUDE_DIR
#define FACET_INCLUDE_DIR "include"
#endif
#ifndef FACET_TEST_TMP
#define FACET_TEST_TMP "."
#endif

#define COMPILE 1u /* compile the header as C and C++ */

typedef struct sdk_entry {
    const char *file;
    unsigned flags;
    const char *refused; /* facet-idl refuses the file with this error; or NULL */
} sdk_entry;

/* The representative set: base files and big ones, and one of each thing
 * the header of an SDK file must get right. */
static const sdk_entry representative[] = {
    /* what the platform's <windows.h> and <ole2.h> include: every header
     * of the set pulls them in */
    {"unknwn.idl", COMPILE, NULL},      /* the platform's IUnknown, next to IFacetUnknown */
    {"wtypes.idl", COMPILE, NULL},      /* encapsulated unions; types in cpp_quote("#if 0") */
    {"objidlbase.idl", 0, NULL},
    {"objidl.idl", COMPILE, NULL},      /* #includes objidlbase.idl: every interface twice */
    {"oaidl.idl", 0, NULL},
    {"oleidl.idl", COMPILE, NULL},      /* IViewObject::Draw's callback is STDMETHODCALLTYPE */
    {"propidl.idl", 0, NULL},
    {"servprov.idl", 0, NULL},
    {"urlmon.idl", 0, NULL},
    {"msxml.idl", 0, NULL},
    /* one of each */
    {"bits1_5.idl", COMPILE, NULL},     /* imports bits.idl, an unnamed encapsulated union */
    {"dcommon.idl", COMPILE, NULL},     /* only cpp_quote("#if 0") says it is an SDK file */
    {"amsi.idl", COMPILE, NULL},        /* only its cpp_quote lines (WINAPI) say so */
    {"d3d11.idl", COMPILE, NULL},       /* C++ helper structs in cpp_quote */
    {"mfidl.idl", COMPILE, NULL},       /* C++ helpers pass GUIDs by reference */
    {"propsys.idl", COMPILE, NULL},     /* DEFINE_ENUM_FLAG_OPERATORS on its enums */
    {"xpsobjectmodel.idl", COMPILE, NULL},
    {"dhtmled.idl", COMPILE, NULL},     /* imports mshtml.idl, which is refused */
    /* compared with widl only */
    {"ocidl.idl", 0, NULL}, {"d3d10.idl", 0, NULL}, {"d3d10_1.idl", 0, NULL},
    {"d3d11_1.idl", 0, NULL}, {"d3dcommon.idl", 0, NULL}, {"dxgi.idl", 0, NULL},
    {"dxgi1_2.idl", 0, NULL}, {"dxgitype.idl", 0, NULL}, {"xmllite.idl", 0, NULL},
    {"msxml2.idl", 0, NULL}, {"mmdeviceapi.idl", 0, NULL}, {"audioclient.idl", 0, NULL},
    {"dwrite.idl", 0, NULL}, {"dwrite_1.idl", 0, NULL}, {"wincodec.idl", 0, NULL},
    {"shobjidl.idl", 0, NULL}, {"strmif.idl", 0, NULL}, {"control.idl", 0, NULL},
    {"mfobjects.idl", 0, NULL}, {"comcat.idl", 0, NULL}, {"docobj.idl", 0, NULL},
    {"activscp.idl", 0, NULL}, {"objsafe.idl", 0, NULL}, {"bits.idl", 0, NULL},
    {"netlistmgr.idl", 0, NULL}, {"taskschd.idl", 0, NULL}, {"wbemcli.idl", 0, NULL},
    {"sapi.idl", 0, NULL}, {"msctf.idl", 0, NULL}, {"d2d1.idl", 0, NULL},
    {"dxva2api.idl", 0, NULL}, {"endpointvolume.idl", 0, NULL}, {"mimeole.idl", 0, NULL},
    {"vmr9.idl", 0, NULL}, {"amstream.idl", 0, NULL}, {"ctxtcall.idl", 0, NULL},
    {"dispex.idl", 0, NULL}, {"exdisp.idl", 0, NULL}, {"textstor.idl", 0, NULL},
    {"optary.idl", 0, NULL}, {"hlink.idl", 0, NULL}, {"msxml6.idl", 0, NULL},
    {"devicetopology.idl", 0, NULL}, {"shtypes.idl", 0, NULL},
    {"uiautomationcore.idl", 0, NULL},
    /* what facet-idl refuses, with the reason: a remotable method that does
     * not return HRESULT, a [size_is] that names a parameter that is not
     * there (Wine's own typo) */
    {"mshtml.idl", 0, "remotable method IMarkupContainer2::GetVersionNumber returns"},
    {"wmsdkidl.idl", 0, "[size_is(pdwNameLen)] names no parameter of "
                        "IWMPropertyVault::GetPropertyByIndex"},
    {NULL, 0, NULL}};

/* ---- What one run found ------------------------------------------------- */

typedef struct sdk_file {
    char name[128];        /* "objidl.idl" */
    char stem[128];        /* "objidl" */
    unsigned flags;
    const char *refused;   /* expected refusal */
    int listed;            /* in the set, not only imported */
    int accepted;          /* facet-idl compiled it */
    char error[1024];      /* its first error when not */
    int c, cxx;            /* 1 compiles, 0 not checked, -1 fails, -2 fails as widl's does */
} sdk_file;

typedef struct sdk_run {
    int all;
    char work[1024];
    sdk_file **files;      /* each its own block: cases point at them */
    size_t count, cap;
    size_t listed;
    time_t started;
} sdk_run;

static sdk_run run;

static sdk_file *find_file(const char *name)
{
    size_t i;
    for (i = 0; i < run.count; i++)
        if (strcmp(run.files[i]->name, name) == 0)
            return run.files[i];
    return NULL;
}

static sdk_file *add_file(const char *name, unsigned flags, const char *refused, int listed)
{
    sdk_file *f = find_file(name);
    size_t n;
    if (f) {
        f->listed |= listed;
        f->flags |= flags;
        return f;
    }
    if (run.count == run.cap) {
        run.cap = run.cap ? run.cap * 2 : 64;
        run.files = realloc(run.files, run.cap * sizeof(*run.files));
        if (!run.files)
            abort();
    }
    f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    run.files[run.count++] = f;
    snprintf(f->name, sizeof f->name, "%s", name);
    n = strlen(f->name) > 4 ? strlen(f->name) - 4 : 0;
    snprintf(f->stem, sizeof f->stem, "%.*s", (int)n, f->name);
    f->flags = flags;
    f->refused = refused;
    f->listed = listed;
    return f;
}

/* ---- Reading headers ---------------------------------------------------- */

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

static int has(const names *n, const char *s)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (strcmp(n->items[i], s) == 0)
            return 1;
    return 0;
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
        used = snprintf(line, sizeof line, "%.*s=%08lx-%04lx-%04lx", (int)len, name, v[0], v[1],
                        v[2]);
        for (i = 3; i < 11; i++)
            used += snprintf(line + used, sizeof line - (size_t)used, "%02lx", v[i]);
        names_add(guids, line, (size_t)used);
        p = q;
    }
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
    data = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (data) {
        size_t got = fread(data, 1, (size_t)n, f);
        data[got] = '\0';
    }
    fclose(f);
    return data;
}

static int write_all(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return 0;
    ok = fwrite(text, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- Running facet-idl, widl and the compilers ------------------------- */

static int shell(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int rc;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    rc = system(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Compiles f with facet-idl into work/gen; queues the SDK files its header
 * includes, so the folder holds the headers of the imports too. */
static void generate(sdk_file *f)
{
    char path[2048], out[2048];
    const char *dirs[1] = {FACET_SDK_IDL_DIR};
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_result *r = NULL;
    const facet_idl_output *h;
    const char *p;
    size_t i;
    opts.include_dirs = dirs;
    opts.include_dir_count = 1;
    snprintf(path, sizeof path, "%s/%s", FACET_SDK_IDL_DIR, f->name);
    if (facet_idl_compile(&r, path, &opts) != 0) {
        snprintf(f->error, sizeof f->error, "no diagnostic");
        for (i = 0; i < facet_idl_diag_count(r); i++)
            if (facet_idl_diag_at(r, i)->severity == FACET_IDL_ERROR) {
                facet_idl_diag_format(facet_idl_diag_at(r, i), f->error, sizeof f->error);
                break;
            }
        facet_idl_result_free(r);
        return;
    }
    f->accepted = 1;
    h = facet_idl_output_at(r, 0);
    snprintf(out, sizeof out, "%s/gen/%s", run.work, h->name);
    if (!write_all(out, h->data, h->size))
        fail_msg("cannot write %s", out);
    for (p = h->data; (p = strstr(p, "\n#include \"")) != NULL;) {
        char name[256];
        size_t n = strcspn(p + 11, "\"\n");
        p += 11;
        if (n < 3 || n > 200 || strncmp(p + n - 2, ".h", 2) != 0)
            continue;
        snprintf(name, sizeof name, "%.*s.idl", (int)(n - 2), p);
        snprintf(path, sizeof path, "%s/%s", FACET_SDK_IDL_DIR, name);
        if (!find_file(name) && exists(path))
            add_file(name, 0, NULL, 0);
    }
    facet_idl_result_free(r);
}

/* The compiler's command line for a header in folder dir, in the setting
 * docs/idl.md describes. */
static void compile_cmd(char *buf, size_t size, const char *cc, const char *dir, const char *tu,
                        const char *log, const char *rc)
{
    snprintf(buf, size,
             "(\"%s\" -fsyntax-only -Wall -I\"%s\" -I\"%s\" -isystem \"%s\" -isystem \"%s\" \"%s\" "
             ">\"%s\" 2>&1; echo $? >\"%s\")",
             cc, FACET_INCLUDE_DIR, dir, FACET_SDK_CRT_DIR, FACET_SDK_IDL_DIR, tu, log, rc);
}

static int read_rc(const char *path)
{
    char *s = read_all(path);
    int rc = s ? atoi(s) : -1;
    free(s);
    return rc;
}

/* Compiles "#include \"stem.h\"" from dir as C and C++ at once (both
 * cores); *c and *cxx get the compilers' exit statuses. */
static void compile_both(const char *dir, const char *stem, const char *tag, int *c, int *cxx)
{
    char tu[2][1200], log[2][1200], rc[2][1200], cmd[2][8192], text[300];
    const char *ext[2] = {"c", "cpp"}, *cc[2] = {FACET_MINGW_CC, FACET_MINGW_CXX};
    int i;
    snprintf(text, sizeof text, "#include \"%s.h\"\n", stem);
    for (i = 0; i < 2; i++) {
        snprintf(tu[i], sizeof tu[i], "%s/cc/%s.%s.%s", run.work, stem, tag, ext[i]);
        snprintf(log[i], sizeof log[i], "%s/cc/%s.%s.%s.log", run.work, stem, tag, ext[i]);
        snprintf(rc[i], sizeof rc[i], "%s/cc/%s.%s.%s.rc", run.work, stem, tag, ext[i]);
        if (!write_all(tu[i], text, strlen(text)))
            fail_msg("cannot write %s", tu[i]);
        compile_cmd(cmd[i], sizeof cmd[i], cc[i], dir, tu[i], log[i], rc[i]);
    }
    if (c && cxx)
        shell("%s & %s; wait", cmd[0], cmd[1]);
    else
        shell("%s", c ? cmd[0] : cmd[1]);
    if (c)
        *c = read_rc(rc[0]);
    if (cxx)
        *cxx = read_rc(rc[1]);
}

/* The first errors of a compiler's log, for a failure message. */
static void first_errors(const char *stem, const char *tag, const char *ext, char *out, size_t size)
{
    char path[1200];
    char *log, *p, *q;
    size_t used = 0;
    int n = 0;
    snprintf(path, sizeof path, "%s/cc/%s.%s.%s.log", run.work, stem, tag, ext);
    out[0] = '\0';
    log = read_all(path);
    for (p = log; p && *p && n < 6; p = q ? q + 1 : p + strlen(p)) {
        q = strchr(p, '\n');
        if (strstr(p, "error") && (!q || strstr(p, "error") < q)) {
            int len = q ? (int)(q - p) : (int)strlen(p);
            used += (size_t)snprintf(out + used, size - used, "\n    %.*s", len > 300 ? 300 : len,
                                     p);
            n++;
            if (used >= size)
                break;
        }
    }
    free(log);
}

/* ---- The cases ---------------------------------------------------------- */

static void check_against_widl(sdk_file *f)
{
    char out[1200], gen[1200];
    names wv = {0}, wg = {0}, fv = {0}, fg = {0};
    char *widl_h, *ours;
    size_t i;
    snprintf(out, sizeof out, "%s/widl/%s.h", run.work, f->stem);
    if (shell("\"%s\" -I \"%s\" -h -o \"%s\" \"%s/%s\" >/dev/null 2>&1", FACET_WIDL,
              FACET_SDK_IDL_DIR, out, FACET_SDK_IDL_DIR, f->name) != 0) {
        if (!run.all)
            fail_msg("widl does not compile %s", f->name);
        print_message("%s: widl does not compile it\n", f->name);
        return;
    }
    snprintf(gen, sizeof gen, "%s/gen/%s.h", run.work, f->stem);
    widl_h = read_all(out);
    ours = read_all(gen);
    assert_non_null(widl_h);
    assert_non_null(ours);
    scan_header(widl_h, &wv, &wg);
    scan_header(ours, &fv, &fg);
    for (i = 0; i < wv.count; i++) {
        if (strncmp(wv.items[i], "IUnknown:", 9) == 0)
            continue; /* IUnknown is abi.h's IFacetUnknown */
        if (!has(&fv, wv.items[i]))
            fail_msg("%s: widl's vtable\n  %s\nis not in facet-idl's output", f->name, wv.items[i]);
    }
    for (i = 0; i < wg.count; i++) {
        if (strncmp(wg.items[i], "IID_IUnknown=", 13) == 0)
            continue;
        if (!has(&fg, wg.items[i]))
            fail_msg("%s: widl's GUID %s is not in facet-idl's output", f->name, wg.items[i]);
    }
    names_free(&wv);
    names_free(&wg);
    names_free(&fv);
    names_free(&fg);
    free(widl_h);
    free(ours);
}

/* A header that does not compile is facet-idl's fault where widl's header
 * of the same file compiles in the same setting. */
static void check_compiles(sdk_file *f)
{
    char dir[1200], widl_dir[1200], why[4096];
    int c = -1, cxx = -1, wc = 0, wcxx = 0;
    snprintf(dir, sizeof dir, "%s/gen", run.work);
    snprintf(widl_dir, sizeof widl_dir, "%s/widl", run.work);
    compile_both(dir, f->stem, "facet", &c, &cxx);
    if (c != 0 || cxx != 0)
        compile_both(widl_dir, f->stem, "widl", c != 0 ? &wc : NULL, cxx != 0 ? &wcxx : NULL);
    f->c = c == 0 ? 1 : wc != 0 ? -2 : -1;
    f->cxx = cxx == 0 ? 1 : wcxx != 0 ? -2 : -1;
    if (f->c == -2 || f->cxx == -2)
        print_message("%s: widl's header does not compile as%s%s here either\n", f->name,
                      f->c == -2 ? " C" : "", f->cxx == -2 ? " C++" : "");
    if (f->c == -1) {
        first_errors(f->stem, "facet", "c", why, sizeof why);
        fail_msg("%s: facet-idl's header does not compile as C where widl's does:%s", f->name, why);
    }
    if (f->cxx == -1) {
        first_errors(f->stem, "facet", "cpp", why, sizeof why);
        fail_msg("%s: facet-idl's header does not compile as C++ where widl's does:%s", f->name,
                 why);
    }
}

static void check_file(void **state)
{
    sdk_file *f = *state;
    if (f->refused) {
        if (f->accepted)
            fail_msg("%s: facet-idl accepts it; expected the error \"%s\"", f->name, f->refused);
        if (!strstr(f->error, f->refused))
            fail_msg("%s: refused with\n%s\nexpected \"%s\"", f->name, f->error, f->refused);
        return;
    }
    if (!f->accepted) {
        if (!run.all)
            fail_msg("%s does not compile: %s", f->name, f->error);
        print_message("%s: refused: %.200s\n", f->name, f->error);
        return;
    }
    check_against_widl(f);
    if (run.all || (f->flags & COMPILE))
        check_compiles(f);
}

/* The compile check can fail: in the same setting, a header from the set
 * that names a struct as a union does not compile, and the same line
 * naming it a struct does (the tag _userCLIPFORMAT was both, once). */
static void check_control(void **state)
{
    char dir[1200], tu[1200], log[1200];
    int i, rc[2];
    static const char *const lines[2] = {"struct _userCLIPFORMAT *facet_idl_control;",
                                         "union _userCLIPFORMAT *facet_idl_control;"};
    (void)state;
    snprintf(dir, sizeof dir, "%s/gen", run.work);
    for (i = 0; i < 2; i++) {
        char text[256], cmd[8192], rcpath[1200];
        snprintf(tu, sizeof tu, "%s/cc/control%d.c", run.work, i);
        snprintf(log, sizeof log, "%s/cc/control%d.log", run.work, i);
        snprintf(rcpath, sizeof rcpath, "%s/cc/control%d.rc", run.work, i);
        snprintf(text, sizeof text, "#include \"wtypes.h\"\n%s\n", lines[i]);
        assert_true(write_all(tu, text, strlen(text)));
        compile_cmd(cmd, sizeof cmd, FACET_MINGW_CC, dir, tu, log, rcpath);
        shell("%s", cmd);
        rc[i] = read_rc(rcpath);
    }
    if (rc[0] != 0)
        fail_msg("the positive control does not compile: see %s/cc/control0.log", run.work);
    if (rc[1] == 0)
        fail_msg("the negative control compiles: the compile check cannot fail");
}

static int setup(void **state)
{
    size_t i;
    (void)state;
    snprintf(run.work, sizeof run.work, "%s/sdk%s", FACET_TEST_TMP, run.all ? "_all" : "");
    if (shell("rm -rf \"%s\" && mkdir -p \"%s/gen\" \"%s/widl\" \"%s/cc\"", run.work, run.work,
              run.work, run.work) != 0)
        return -1;
    /* the listed files are first in run.files; their imports follow */
    for (i = 0; i < run.count; i++)
        generate(run.files[i]);
    return 0;
}

static int teardown(void **state)
{
    size_t i, listed = 0, accepted = 0, c = 0, cxx = 0, c_widl = 0, cxx_widl = 0, checked = 0;
    (void)state;
    for (i = 0; i < run.count; i++) {
        const sdk_file *f = run.files[i];
        if (!f->listed)
            continue;
        listed++;
        accepted += (size_t)f->accepted;
        checked += f->c != 0;
        c += f->c == 1;
        cxx += f->cxx == 1;
        c_widl += f->c == -2;
        cxx_widl += f->cxx == -2;
    }
    print_message("facet-idl accepts %zu of %zu .idl files in %s. Of the %zu headers compiled "
                  "alone, %zu compile as C and %zu as C++; of the others, %zu and %zu, widl's "
                  "header does not compile there either. %ld s\n", accepted, listed,
                  FACET_SDK_IDL_DIR, checked, c, cxx, c_widl, cxx_widl,
                  (long)(time(NULL) - run.started));
    return 0;
}

static int missing(const char *what, const char *path)
{
    return !path[0] || access(path, what[0] == 'x' ? X_OK : R_OK) != 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every .idl of the SDK folder, in name order. */
static void list_all(void)
{
    DIR *d = opendir(FACET_SDK_IDL_DIR);
    struct dirent *e;
    char **list = NULL;
    size_t n = 0, cap = 0, i;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".idl") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            list = realloc(list, cap * sizeof(char *));
            if (!list)
                abort();
        }
        list[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(list, n, sizeof(char *), by_name);
    for (i = 0; i < n; i++) {
        const sdk_entry *r;
        const char *refused = NULL;
        for (r = representative; r->file; r++)
            if (strcmp(r->file, list[i]) == 0)
                refused = r->refused;
        add_file(list[i], COMPILE, refused, 1);
        free(list[i]);
    }
    free(list);
}

int main(int argc, char **argv)
{
    struct CMUnitTest *tests;
    char sdk_unknwn[1200];
    size_t i, n = 0;
    const sdk_entry *r;
    int rc;
    run.all = argc > 1 && strcmp(argv[1], "--all") == 0;
    run.started = time(NULL);
    snprintf(sdk_unknwn, sizeof sdk_unknwn, "%s/unknwn.idl", FACET_SDK_IDL_DIR);
    /* say what is missing, never pass without having run */
    if (missing("r", FACET_SDK_IDL_DIR) || !exists(sdk_unknwn) || missing("r", FACET_SDK_CRT_DIR)) {
        printf("SKIPPED: no Windows SDK .idl files and C library headers (Debian's libwine-dev: "
               "/usr/include/wine/wine/windows and msvcrt)\n");
        return 77;
    }
    if (missing("x", FACET_WIDL)) {
        printf("SKIPPED: no widl to compare with (Debian's mingw-w64-tools)\n");
        return 77;
    }
    if (missing("x", FACET_MINGW_CC) || missing("x", FACET_MINGW_CXX)) {
        printf("SKIPPED: no x86_64-w64-mingw32-gcc and -g++ to compile the headers with (Debian's "
               "gcc-mingw-w64-x86-64 and g++-mingw-w64-x86-64)\n");
        return 77;
    }
    if (run.all)
        list_all();
    else
        for (r = representative; r->file; r++)
            add_file(r->file, r->flags, r->refused, 1);
    run.listed = run.count;
    tests = calloc(run.listed + 1, sizeof(*tests));
    if (!tests)
        return 1;
    for (i = 0; i < run.listed; i++) {
        char *name = malloc(200);
        if (!name)
            return 1;
        snprintf(name, 200, "test_idl_sdk__%s", run.files[i]->name);
        tests[n].name = name;
        tests[n].test_func = check_file;
        tests[n].initial_state = run.files[i];
        n++;
    }
    tests[n].name = "test_idl_sdk__compile_check_can_fail";
    tests[n].test_func = check_control;
    n++;
    rc = _cmocka_run_group_tests(run.all ? "test_idl_sdk_all" : "test_idl_sdk", tests, n, setup,
                                 teardown);
    for (i = 0; i < run.listed; i++)
        free((void *)tests[i].name);
    free(tests);
    for (i = 0; i < run.count; i++)
        free(run.files[i]);
    free(run.files);
    return rc;
}
