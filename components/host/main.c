/*
 * components/host/main.c - facet-host, the process host: libfacet starts
 * it for a module whose isolation is "process", and it serves that one
 * module until the host lets go of it or is gone. Everything it does is in
 * libfacet (core/remote/child.c), so that a host and its process host
 * always speak one version of the wire format.
 */
#include "remote/remote.h"

#if defined(__SANITIZE_ADDRESS__)
#define FACET_HOST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FACET_HOST_LSAN 1
#endif
#endif

#ifdef FACET_HOST_LSAN
/* LeakSanitizer's check at exit stops the process's threads with ptrace,
 * which the sandbox forbids: in a sandboxed worker it is off. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return facet__sandbox_entered();
}
#endif

int main(int argc, char **argv)
{
    return facet__process_host_main(argc, argv);
}
