/*
 * sandbox_policy.c - freeing a FacetSandboxPolicy, whoever made it (the
 * host, sandbox.c, or facet-host from its command line, sandbox_linux.c),
 * and the command line made of one.
 */
#include "sandbox.h"

static void free_list(char **items, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        facet__free(items[i]);
    facet__free(items);
}

void facet__sandbox_policy_free(FacetSandboxPolicy *p)
{
    size_t i;
    if (p == NULL)
        return;
    facet__free(p->module);
    facet__free(p->library);
    free_list(p->files, p->file_count);
    free_list(p->read, p->read_count);
    free_list(p->write, p->write_count);
    free_list(p->denied, p->denied_count);
    for (i = 0; i < p->connect_count; i++)
        facet__free(p->connect[i].host);
    facet__free(p->connect);
    facet__free(p);
}

void facet__sandbox_args_free(char **argv)
{
    size_t i;
    for (i = 0; argv != NULL && argv[i] != NULL; i++)
        facet__free(argv[i]);
    facet__free(argv);
}
