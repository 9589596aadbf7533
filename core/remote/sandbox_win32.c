/*
 * sandbox_win32.c - the process host's wall on Windows, which this build
 * does not have yet: a process-isolated module runs in facet-host.exe
 * inside its job object (it dies with the host, and cannot leave the job),
 * with the rights of the host's user. The host's log says so at each start
 * of the process host, and docs/isolation.md says what is missing (a
 * restricted token, an AppContainer).
 */
#include "sandbox.h"

const char *facet__sandbox_disabled(void)
{
    return "no sandbox is built for Windows yet: the module runs with the host's rights, inside a "
           "job object";
}

FacetResult facet__sandbox_args(const FacetSandboxPolicy *p, char ***out)
{
    (void)p;
    *out = NULL;
    return facet__error(FACET_E_NOTIMPL, "the process host's sandbox is not built for Windows");
}
