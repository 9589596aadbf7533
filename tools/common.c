/*
 * tools/common.c - argument parsing, names and output shared by the
 * subcommands of `facet`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "facet/typeinfo.h"
#include "tool.h"
#include "formats/formats.h"

/* The runtime's own interfaces, described by facet-idl from idl/facet.idl. */
extern const FacetTypeLibInfo facet_typeinfo_facet;

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "facet %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'facet %s --help')\n", cmd);
    return TOOL_USAGE;
}

static int parse_u32(const char *cmd, const char *opt, const char *text, uint32_t *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '\0' || text[0] == '-' || v == 0 ||
        v > 0xFFFFFFFFul)
        return tool_usage_error(cmd, "%s wants a positive whole number, not '%s'", opt, text);
    *out = (uint32_t)v;
    return TOOL_CLEAN;
}

static int push(const char ***list, int *count, const char *item)
{
    const char **p = realloc((void *)*list, (size_t)(*count + 1) * sizeof(*p));
    if (p == NULL)
        return 0;
    p[(*count)++] = item;
    *list = p;
    return 1;
}

int tool_parse(ToolArgs *out, const char *cmd, const char *usage, unsigned flags, int argc,
               char **argv)
{
    FacetCheckOptions defaults = FACET_CHECK_OPTIONS_INIT;
    int i, ok = 1, operands_only = 0;

    memset(out, 0, sizeof(*out));
    out->check = defaults;
    for (i = 0; i < argc && ok; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int takes_value = 0, r = TOOL_CLEAN;
        if (operands_only || a[0] != '-' || strcmp(a, "-") == 0) {
            ok = push(&out->paths, &out->path_count, a);
            /* run: everything after NAME is NAME's own */
            if ((flags & TOOL_OPT_RUN) && ok) {
                out->rest = argv + i + 1;
                out->rest_count = argc - i - 1;
                break;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            operands_only = 1;
        } else if (strcmp(a, "--json") == 0) {
            out->json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            out->help = 1;
        } else if ((flags & TOOL_OPT_CHECK) &&
                   (strcmp(a, "--timeout") == 0 || strcmp(a, "--threads") == 0 ||
                    strcmp(a, "--iterations") == 0)) {
            takes_value = 1;
            if (value == NULL)
                r = tool_usage_error(cmd, "%s needs a value", a);
            else
                r = parse_u32(cmd, a, value,
                              strcmp(a, "--timeout") == 0   ? &out->check.timeout_ms
                              : strcmp(a, "--threads") == 0 ? &out->check.threads
                                                            : &out->check.iterations);
        } else if ((flags & TOOL_OPT_SCAN) && strcmp(a, "--probe") == 0) {
            out->probe = 1;
        } else if ((flags & TOOL_OPT_SCAN) && strcmp(a, "--cache") == 0) {
            takes_value = 1;
            out->cache = value;
            if (value == NULL)
                r = tool_usage_error(cmd, "--cache needs a file");
        } else if ((flags & TOOL_OPT_SCAN) && strcmp(a, "--interface") == 0) {
            takes_value = 1;
            out->interface = value;
            if (value == NULL)
                r = tool_usage_error(cmd, "--interface needs an IID");
        } else if ((flags & TOOL_OPT_RUN) &&
                   (strcmp(a, "--module") == 0 || strcmp(a, "--dir") == 0)) {
            takes_value = 1;
            if (value == NULL)
                r = tool_usage_error(cmd, "%s needs a path", a);
            else if (strcmp(a, "--module") == 0)
                ok = push(&out->modules, &out->module_count, value);
            else
                ok = push(&out->dirs, &out->dir_count, value);
        } else if ((flags & (TOOL_OPT_RUN | TOOL_OPT_CONFIG)) && strcmp(a, "--config") == 0) {
            takes_value = 1;
            out->config = value;
            if (value == NULL)
                r = tool_usage_error(cmd, "--config needs a file");
        } else if ((flags & TOOL_OPT_WRITE) && strcmp(a, "--write-manifest") == 0) {
            out->write_manifest = 1;
        } else if ((flags & TOOL_OPT_WRITE) && strcmp(a, "--force") == 0) {
            out->force = 1;
        } else if ((flags & TOOL_OPT_IDL) && (strcmp(a, "--idl") == 0 || strcmp(a, "-I") == 0)) {
            takes_value = 1;
            if (value == NULL)
                r = tool_usage_error(cmd, "%s needs a %s", a, a[1] == 'I' ? "folder" : "file");
            else if (a[1] == 'I')
                ok = push(&out->idl_dirs, &out->idl_dir_count, value);
            else
                ok = push(&out->idls, &out->idl_count, value);
        } else {
            r = tool_usage_error(cmd, "unknown option '%s'", a);
        }
        if (r != TOOL_CLEAN) {
            tool_args_free(out);
            return r;
        }
        i += takes_value;
    }
    if (!ok) {
        tool_args_free(out);
        fprintf(stderr, "facet %s: out of memory\n", cmd);
        return TOOL_USAGE;
    }
    if (out->help) {
        fputs(usage, stdout);
        tool_args_free(out);
        return TOOL_CLEAN;
    }
    return TOOL_GO;
}

void tool_args_free(ToolArgs *args)
{
    tool_names_free(args);
    free((void *)args->paths);
    free((void *)args->modules);
    free((void *)args->dirs);
    free((void *)args->idls);
    free((void *)args->idl_dirs);
    args->paths = args->modules = args->dirs = args->idls = args->idl_dirs = NULL;
}

int tool_exit_for(FacetResult r)
{
    switch (r) {
    case FACET_E_FILENOTFOUND:
    case FACET_E_NOTAFILE:
    case FACET_E_ACCESSDENIED:
    case FACET_E_POINTER:
    case FACET_E_INVALIDARG:
        return TOOL_USAGE;
    default:
        return FACET_FAILED(r) || r == FACET_FALSE ? TOOL_FOUND : TOOL_CLEAN;
    }
}

void tool_print_json(json_t *doc)
{
    if (doc == NULL) {
        fprintf(stderr, "facet: out of memory writing JSON\n");
        return;
    }
    json_dumpf(doc, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(doc);
}

json_t *tool_json_text(const char *s)
{
    return s != NULL ? facet__utf8_json(s, strlen(s)) : NULL;
}

const char *tool_interface_name(const FacetReport *report, const FacetGuid *iid)
{
    const char *name = report != NULL ? facet_report_interface_name(report, iid) : NULL;
    uint32_t i;
    if (name != NULL)
        return name;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        return "IFacetUnknown";
    for (i = 0; i < facet_typeinfo_facet.interface_count; i++) {
        const FacetInterfaceInfo *itf = FacetTypeLibInterface(&facet_typeinfo_facet, i);
        if (FacetGuidEqual(&itf->iid, iid))
            return itf->name;
    }
    return NULL;
}

const char *tool_guid(const FacetGuid *guid)
{
    static char bufs[4][FACET_GUID_STRING_SIZE];
    static unsigned next;
    char *b = bufs[next++ % 4];
    facet_guid_format(b, FACET_GUID_STRING_SIZE, guid);
    return b;
}

const char *tool_outcome_name(uint32_t outcome)
{
    static const char *const names[] = {"ok",     "load-failed", "crashed",   "timed-out",
                                        "exited", "flooded",     "bad-report"};
    return outcome < sizeof(names) / sizeof(names[0]) ? names[outcome] : "unknown";
}

const char *tool_threading_name(uint32_t threading)
{
    static const char *const names[] = {"any", "single", "main"};
    return threading < 3 ? names[threading] : "unknown";
}

const char *tool_manifest_of(const char *path)
{
    static char buf[4096];
    char *manifest = facet__manifest_path_for(path);
    struct stat st;
    int found = manifest != NULL && strlen(manifest) < sizeof(buf) && stat(manifest, &st) == 0;
    if (found)
        strcpy(buf, manifest);
    facet__free(manifest);
    return found ? buf : NULL;
}

static json_t *class_json(const FacetReport *report, const FacetClassInfo *ci)
{
    json_t *itfs = json_array();
    uint32_t i;
    for (i = 0; i < ci->interface_count; i++) {
        const char *name = tool_interface_name(report, &ci->interfaces[i]);
        json_array_append_new(itfs, json_pack("{s:s, s:o?}", "iid",
                                              tool_guid(&ci->interfaces[i]), "name",
                                              tool_json_text(name)));
    }
    return json_pack("{s:s, s:o?, s:o?, s:s, s:o}", "clsid", tool_guid(&ci->clsid), "contract",
                     tool_json_text(ci->contract), "version", tool_json_text(ci->version),
                     "threading", tool_threading_name(ci->threading), "interfaces", itfs);
}

json_t *tool_module_json(const FacetReport *report)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    json_t *doc, *classes = json_array();
    const char *manifest, *problem;
    uint32_t i;

    for (i = 0; i < facet_report_class_count(report); i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        if (FACET_SUCCEEDED(facet_report_class(&ci, report, i)))
            json_array_append_new(classes, class_json(report, &ci));
    }
    doc = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "path",
                    tool_json_text(facet_report_path(report)), "outcome",
                    tool_outcome_name(facet_report_outcome(report)), "reason",
                    tool_json_text(facet_report_reason(report)), "classes", classes, "stdout",
                    tool_json_text(facet_report_stdout(report)), "stderr",
                    tool_json_text(facet_report_stderr(report)));
    if (doc == NULL)
        return NULL;
    if (FACET_SUCCEEDED(facet_report_module(&info, report)))
        json_object_set_new(doc, "module",
                            json_pack("{s:o?, s:o?, s:i, s:i, s:o?}", "name",
                                      tool_json_text(info.name), "version",
                                      tool_json_text(info.version), "abi_version",
                                      (int)info.abi_version, "api_level", (int)info.api_level,
                                      "compiler", tool_json_text(info.compiler)));
    else
        json_object_set_new(doc, "module", json_null());
    manifest = facet_report_manifest(report, &problem);
    json_object_set_new(doc, "manifest",
                        manifest ? json_pack("{s:o, s:b, s:o?}", "path",
                                             tool_json_text(manifest), "agrees", problem == NULL,
                                             "problem", tool_json_text(problem))
                                 : json_null());
    return doc;
}

void tool_print_module(FILE *f, const FacetReport *report, const char *in)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    const char *problem, *manifest = facet_report_manifest(report, &problem);
    uint32_t i, j;

    if (FACET_SUCCEEDED(facet_report_module(&info, report))) {
        fprintf(f, "%smodule     %s %s\n", in, info.name ? info.name : "?",
                info.version ? info.version : "?");
        fprintf(f, "%scompiler   %s\n", in, info.compiler ? info.compiler : "(not given)");
        fprintf(f, "%sabi        %u (this host: %u), api level %u\n", in,
                (unsigned)info.abi_version, (unsigned)FACET_ABI_VERSION,
                (unsigned)info.api_level);
    }
    if (manifest == NULL)
        fprintf(f, "%smanifest   none\n", in);
    else if (problem == NULL)
        fprintf(f, "%smanifest   %s (agrees with the module)\n", in, manifest);
    else
        fprintf(f, "%smanifest   %s\n%s  problem  %s\n", in, manifest, in, problem);
    if (facet_report_outcome(report) != FACET_OUTCOME_OK) {
        fprintf(f, "%serror      %s\n", in, facet_report_reason(report));
        tool_print_output(f, report, in);
    }
    for (i = 0; i < facet_report_class_count(report); i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        if (FACET_FAILED(facet_report_class(&ci, report, i)))
            continue;
        fprintf(f, "%sclass      %s %s %s, threading %s\n", in, ci.contract ? ci.contract : "",
                ci.version ? ci.version : "", tool_guid(&ci.clsid),
                tool_threading_name(ci.threading));
        for (j = 0; j < ci.interface_count; j++) {
            const char *name = tool_interface_name(report, &ci.interfaces[j]);
            fprintf(f, "%s  interface  %-22s %s\n", in, name ? name : "(no type info)",
                    tool_guid(&ci.interfaces[j]));
        }
    }
}

/* Prints text, each line behind the label's column and "| ". */
static void print_lines(FILE *f, const char *in, const char *label, const char *text)
{
    const char *line = text;
    int first = 1;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        int n = end != NULL ? (int)(end - line) : (int)strlen(line);
        fprintf(f, "%s%-10s | %.*s\n", in, first ? label : "", n, line);
        first = 0;
        line += n + (end != NULL);
    }
}

void tool_print_output(FILE *f, const FacetReport *report, const char *in)
{
    print_lines(f, in, "stdout", facet_report_stdout(report));
    print_lines(f, in, "stderr", facet_report_stderr(report));
}

int tool_each_module(const char *cmd, const char *path, FacetPathFn fn, void *payload)
{
    struct stat st;
    FacetResult r;
    if (stat(path, &st) != 0)
        return tool_usage_error(cmd, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        r = facet_module_files(path, fn, payload);
    else
        r = fn(path, payload);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet %s: %s\n", cmd, facet_last_error());
        return tool_exit_for(r);
    }
    return TOOL_CLEAN;
}

int tool_module_command(const char *cmd, const char *usage, int argc, char **argv,
                        FacetPathFn fn, int count_violations)
{
    ToolModules tm;
    int i, rc;

    memset(&tm, 0, sizeof(tm));
    rc = tool_parse(&tm.args, cmd, usage,
                    TOOL_OPT_CHECK | TOOL_OPT_IDL |
                        (strcmp(cmd, "inspect") == 0 ? TOOL_OPT_WRITE | TOOL_OPT_CONFIG : 0u),
                    argc, argv);
    if (rc != TOOL_GO)
        return rc;
    if (tm.args.config != NULL) {
        /* what is not granted is shown, not logged */
        FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
        FacetResult r;
        opts.log_level = FACET_LOG_ERROR;
        r = facet_runtime_new(&tm.rt, &opts);
        if (FACET_SUCCEEDED(r))
            r = facet_runtime_load_config(NULL, tm.rt, tm.args.config);
        if (FACET_FAILED(r)) {
            fprintf(stderr, "facet %s: %s\n", cmd, facet_last_error());
            facet_runtime_free(tm.rt);
            tool_args_free(&tm.args);
            return TOOL_USAGE;
        }
    }
    rc = tool_names_load(&tm.args, cmd);
    if (rc != TOOL_CLEAN) {
        tool_args_free(&tm.args);
        return rc;
    }
    if (tm.args.path_count == 0) {
        tool_args_free(&tm.args);
        return tool_usage_error(cmd, "no module or folder given");
    }
    tm.modules = json_array();
    rc = TOOL_CLEAN;
    for (i = 0; i < tm.args.path_count && rc == TOOL_CLEAN; i++)
        rc = tool_each_module(cmd, tm.args.paths[i], fn, &tm);
    if (!tm.args.json)
        json_decref(tm.modules);
    else if (count_violations)
        tool_print_json(json_pack("{s:o, s:i}", "modules", tm.modules, "violations",
                                  (int)tm.violations));
    else
        tool_print_json(json_pack("{s:o}", "modules", tm.modules));
    facet_runtime_free(tm.rt);
    tool_args_free(&tm.args);
    if (rc != TOOL_CLEAN)
        return rc;
    return tm.failed ? tm.failed : tm.found ? TOOL_FOUND : TOOL_CLEAN;
}

typedef struct ManifestChanges {
    int json;
    json_t *list;
    unsigned count;
} ManifestChanges;

static void manifest_changed(const char *field, const char *change, void *payload)
{
    ManifestChanges *c = payload;
    c->count++;
    if (c->list != NULL)
        json_array_append_new(c->list, json_pack("{s:o, s:o}", "field", tool_json_text(field),
                                                 "change", tool_json_text(change)));
    if (!c->json)
        printf("  changed    %s: %s\n", field, change);
}

int tool_write_manifest(const FacetReport *report, int json, int force, json_t *entry)
{
    ManifestChanges changes = {json, entry != NULL ? json_array() : NULL, 0};
    FacetResult r = facet_report_merge_manifest(report, NULL, force ? FACET_MANIFEST_REPLACE : 0u,
                                                manifest_changed, &changes);
    if (entry != NULL)
        json_object_set_new(entry, "manifest_changes", changes.list);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet: %s\n", facet_last_error());
        if (entry != NULL)
            json_object_set_new(entry, "manifest_written", json_false());
        return TOOL_FOUND;
    }
    if (entry != NULL)
        json_object_set_new(entry, "manifest_written", json_boolean(r == FACET_OK));
    if (!json)
        printf("  %-10s %s\n", r == FACET_FALSE ? "unchanged" : changes.count ? "merged" : "wrote",
               tool_manifest_of(facet_report_path(report)));
    return TOOL_CLEAN;
}
