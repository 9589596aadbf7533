/*
 * tests/plugins/plugtest.h - what the manifest, config, services and
 * lifecycle tests share: a plugin folder in a temporary directory, the test
 * plugins copied into it with manifests that describe them, and the
 * ITestJournal service the plugins write their lifecycle steps to.
 */
#ifndef FACET_TEST_PLUGTEST_H
#define FACET_TEST_PLUGTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plug_itf.h"
#include "support.h"

#ifdef _WIN32
#define PLUG_SUFFIX ".dll"
#else
#define PLUG_SUFFIX ".so"
#endif

/* A scratch plugin folder; path in a static buffer. */
static inline const char *plug_folder(void)
{
    static char dir[4096];
    snprintf(dir, sizeof(dir), "%s", facet_test_tmpdir());
    return dir;
}

static inline void plug_write(const char *dir, const char *file, const char *text)
{
    char path[8448];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    facet_test_write_file(path, text, strlen(text));
}

/* Copies test module `module` into dir as file. */
static inline void plug_copy(const char *dir, const char *module, const char *file)
{
    size_t size;
    void *data = facet_test_read_file(facet_test_module(module), &size);
    char path[8448];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    facet_test_write_file(path, data, size);
    free(data);
}

/* The manifest of test plugin `name` (test.a ...) with clsid byte id, at
 * version, whose library is library; requires is JSON object text or NULL,
 * extra more members ("\"permissions\": [\"x\"]") or NULL. */
static inline void plug_manifest(const char *dir, const char *file, const char *name,
                                 const char *version, int id, const char *library,
                                 const char *requires, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "{\n"
             "  \"name\": \"%s\",\n"
             "  \"version\": \"%s\",\n"
             "  \"api_level\": 1,\n"
             "  \"library\": {\"linux\": \"%s\", \"windows\": \"%s\", \"macos\": \"%s\"},\n"
             "  \"classes\": [\n"
             "    {\"clsid\": \"{7B000000-0001-4000-8000-0000000000%02X}\",\n"
             "     \"contract\": \"%s.thing\", \"version\": \"%s\", \"threading\": \"any\",\n"
             "     \"interfaces\": [\"{7A000001-5D3E-4A5B-9C01-112233445501}\"]}\n"
             "  ],\n"
             "  \"requires\": %s%s%s\n"
             "}\n",
             name, version, library, library, library, id, name, version,
             requires ? requires : "{}", extra ? ",\n  " : "", extra ? extra : "");
    plug_write(dir, file, text);
}

/* Installs test plugin module (plug_a ...) as name/version in dir. */
static inline void plug_install(const char *dir, const char *module, const char *name, int id,
                                const char *requires, const char *extra)
{
    char lib[256], file[256];
    snprintf(lib, sizeof(lib), "%s" PLUG_SUFFIX, module);
    snprintf(file, sizeof(file), "%s.facet.json", module);
    plug_copy(dir, module, lib);
    plug_manifest(dir, file, name, "1.0.0", id, lib, requires, extra);
}

/* ---- The journal service ----------------------------------------------- *
 * A static object: the reference count is only there to check that the
 * runtime lets go of every reference it took. */

typedef struct Journal {
    ITestJournal itf;
    uint32_t refs;
    char text[4096];
} Journal;

static inline FacetResult FACET_CALL journal_qi(ITestJournal *self, const FacetGuid *iid,
                                                void **out)
{
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, &IID_ITestJournal)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    __atomic_add_fetch(&((Journal *)self)->refs, 1, __ATOMIC_ACQ_REL);
    *out = self;
    return FACET_OK;
}
static inline uint32_t FACET_CALL journal_addref(ITestJournal *self)
{
    return __atomic_add_fetch(&((Journal *)self)->refs, 1, __ATOMIC_ACQ_REL);
}
static inline uint32_t FACET_CALL journal_release(ITestJournal *self)
{
    return __atomic_sub_fetch(&((Journal *)self)->refs, 1, __ATOMIC_ACQ_REL);
}
static inline FacetResult FACET_CALL journal_record(ITestJournal *self, const char *line)
{
    Journal *j = (Journal *)self;
    size_t used = strlen(j->text);
    snprintf(j->text + used, sizeof(j->text) - used, "%s%s", used ? " " : "", line);
    return FACET_OK;
}
static const ITestJournalVtbl journal_vtbl = {journal_qi, journal_addref, journal_release,
                                              journal_record};

static inline void journal_init(Journal *j)
{
    memset(j, 0, sizeof(*j));
    j->itf.lpVtbl = &journal_vtbl;
    j->refs = 1;
}

#endif
