/*
 * tools/tool.h - what the subcommands of `facet` share. The command is a
 * thin layer on libfacet (facet/check.h, facet/facet.h): each
 * subcommand parses its arguments, calls the library, and prints the
 * result as text or, with --json, as one JSON document.
 */
#ifndef FACET_TOOL_H
#define FACET_TOOL_H

#include <stdio.h>

/* printf-style checking; MinGW builds use its C99 printf, a GNU format. */
#if defined(__MINGW32__)
#define TOOL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TOOL_PRINTF(f, a)
#endif

#include <jansson.h>

#include "facet/facet.h"
#include "facet/check.h"

/* Exit codes (docs/facet.md). */
#define TOOL_CLEAN 0     /* nothing wrong */
#define TOOL_FOUND 1     /* violations found, a module failed, or a run failed */
#define TOOL_USAGE 2     /* bad usage or unreadable input */

/* What every subcommand accepts. */
typedef struct ToolArgs {
    int json;
    int help;
    FacetCheckOptions check;
    const char *cache;     /* scan --cache */
    int probe;             /* scan --probe */
    const char *interface; /* scan --interface IID */
    const char **paths;    /* the operands, argc-long */
    int path_count;
    char **rest;           /* run: NAME's own arguments */
    int rest_count;
    const char **modules;  /* run --module */
    int module_count;
    const char **dirs;     /* run --dir */
    int dir_count;
    const char *config;    /* run, inspect: --config */
    int write_manifest;    /* inspect, scan --probe: --write-manifest */
    int force;             /* --write-manifest --force: replace, never merge */
    const char **idls;     /* inspect, validate: --idl FILE */
    int idl_count;
    const char **idl_dirs; /* -I DIR, where --idl's imports are looked for */
    int idl_dir_count;
    void *names;           /* what --idl compiled (tool_names_load) */
} ToolArgs;

/* Option flags a subcommand takes, for tool_parse. */
#define TOOL_OPT_CHECK 0x1u  /* --timeout, --threads, --iterations */
#define TOOL_OPT_SCAN 0x2u   /* --probe, --cache, --interface */
#define TOOL_OPT_RUN 0x4u    /* --module, --dir, --config; stops at NAME */
#define TOOL_OPT_WRITE 0x8u  /* --write-manifest */
#define TOOL_OPT_IDL 0x10u   /* --idl FILE, -I DIR */
#define TOOL_OPT_CONFIG 0x20u /* --config FILE */

/* Parses argv (after the subcommand's name). Returns TOOL_GO to go on, or
 * the exit code to return at once: TOOL_CLEAN after printing usage for
 * --help, TOOL_USAGE after saying what is wrong. Either way out needs
 * tool_args_free only when TOOL_GO came back. */
#define TOOL_GO (-1)
int tool_parse(ToolArgs *out, const char *cmd, const char *usage, unsigned flags, int argc,
               char **argv);
void tool_args_free(ToolArgs *args);

/* Prints "facet CMD: message" to stderr and returns TOOL_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* TOOL_USAGE for a result that says the input could not be read (no such
 * file, not a file, access denied, a bad argument), TOOL_FOUND otherwise. */
int tool_exit_for(FacetResult r);

/* Writes doc to stdout, indented, and drops it. */
void tool_print_json(json_t *doc);

/* A JSON string of s, which need not be UTF-8 (a file name, a message
 * naming one): invalid bytes become U+FFFD, so nothing is dropped. NULL
 * for NULL, which json_pack's "o?" writes as null. */
json_t *tool_json_text(const char *s);

/* --idl: compiles each FILE with facet-idl's library (imports from FILE's
 * folder, each -I DIR, and the runtime's own facet.idl) and hands the
 * interfaces it names to the probe (args->check.type_libs). TOOL_CLEAN, or
 * TOOL_USAGE after printing the compiler's diagnostics. */
int tool_names_load(ToolArgs *args, const char *cmd);
void tool_names_free(ToolArgs *args);

/* The name of iid: the module's own type info (from report, may be NULL),
 * else the runtime's (facet.idl), else NULL. */
const char *tool_interface_name(const FacetReport *report, const FacetGuid *iid);

/* "{XXXXXXXX-...}" in a static buffer of each call's own (4 rotate). */
const char *tool_guid(const FacetGuid *guid);

const char *tool_outcome_name(uint32_t outcome);
const char *tool_threading_name(uint32_t threading);

/* The path of path's manifest (<stem>.facet.json next to it) if that file
 * exists, else NULL; static buffer. */
const char *tool_manifest_of(const char *path);

/* A module's info and classes, as JSON and as text. The text shows what
 * the module wrote to stdout and stderr when it failed. */
json_t *tool_module_json(const FacetReport *report);
void tool_print_module(FILE *f, const FacetReport *report, const char *indent);
/* The module's stdout and stderr, each line behind "| " (nothing for an
 * empty stream). */
void tool_print_output(FILE *f, const FacetReport *report, const char *indent);

/* Calls fn for each module a PATH operand names: the file itself, or every
 * module in the folder. Returns TOOL_USAGE (after saying why) for a path
 * that is neither. */
int tool_each_module(const char *cmd, const char *path, FacetPathFn fn, void *payload);

/* What inspect and validate share: every module of every PATH operand
 * goes through fn with the ToolModules as payload. */
typedef struct ToolModules {
    ToolArgs args;
    json_t *modules;       /* --json: one entry per module */
    uint32_t violations;   /* validate: violations found */
    int found;             /* a module failed or broke a rule */
    int failed;            /* the library could not run: the exit code */
    FacetRuntime *rt;      /* inspect --config: the configuration's runtime */
} ToolModules;

/* Parses, runs fn on every module, prints {"modules": [...]} (and
 * "violations" when count_violations) for --json, and returns the exit
 * code. */
int tool_module_command(const char *cmd, const char *usage, int argc, char **argv,
                        FacetPathFn fn, int count_violations);

/* --write-manifest: writes the manifest of a probed module next to it, or
 * merges into the one there (facet_report_merge_manifest; replaces it with
 * force), says what changed, and marks entry (may be NULL) with
 * "manifest_written" and "manifest_changes". TOOL_FOUND when it could not. */
int tool_write_manifest(const FacetReport *report, int json, int force, json_t *entry);

int tool_inspect(int argc, char **argv);
int tool_validate(int argc, char **argv);
int tool_scan(int argc, char **argv);
int tool_run(int argc, char **argv);
int tool_guid_new(int argc, char **argv);

#endif /* FACET_TOOL_H */
