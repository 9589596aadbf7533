/*
 * core/runtime/services.c - services the host registers by IID, handed to modules
 * through their host objects, some only with a permission: the module's
 * manifest must request it and the host configuration must grant it.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* The interfaces the host object answers itself; no service may take them. */
static int builtin(const FacetGuid *sid)
{
    return FacetGuidEqual(sid, &IID_IFacetUnknown) || FacetGuidEqual(sid, &IID_IFacetHost) ||
           FacetGuidEqual(sid, &IID_IFacetAllocator) || FacetGuidEqual(sid, &IID_IFacetLogger) ||
           FacetGuidEqual(sid, &IID_IFacetConfig);
}

FacetResult facet_service_register(FacetRuntime *rt, const FacetGuid *sid, IFacetUnknown *service,
                                   const char *permission)
{
    FacetService *s, *found;
    char text[FACET_GUID_STRING_SIZE];
    size_t plen = permission ? strlen(permission) + 1 : 0;

    FACET_CHECK_ARG(rt, "facet_service_register");
    FACET_CHECK_ARG(sid, "facet_service_register");
    FACET_CHECK_ARG(service, "facet_service_register");
    facet_guid_format(text, sizeof(text), sid);
    if (builtin(sid))
        return facet__error(FACET_E_CONFLICT,
                            "facet_service_register: %s is one of the host object's own "
                            "interfaces",
                            text);
    if (permission != NULL && permission[0] == '\0')
        return facet__error(FACET_E_INVALIDARG,
                            "facet_service_register: service %s: the permission name is empty "
                            "(pass NULL for none)",
                            text);
    s = facet__calloc(1, sizeof(*s) + plen);
    if (s == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_service_register: out of memory");
    s->sid = *sid;
    s->object = service;
    if (permission != NULL) {
        memcpy(s + 1, permission, plen);
        s->permission = (const char *)(s + 1);
    }
    facet__os_rwlock_wrlock(&rt->lock);
    HASH_FIND(hh, rt->services, sid, sizeof(FacetGuid), found);
    if (found == NULL) {
        int oom;
        FACET_HASH_ADD(hh, rt->services, &s->sid, sizeof(FacetGuid), s, oom);
        if (oom)
            found = s;
    }
    facet__os_rwlock_wrunlock(&rt->lock);
    if (found != NULL) {
        facet__free(s);
        if (found == s)
            return facet__error(FACET_E_OUTOFMEMORY, "facet_service_register: out of memory");
        return facet__error(FACET_E_CONFLICT, "facet_service_register: service %s is already "
                                              "registered",
                            text);
    }
    IFacetUnknown_AddRef(service);
    return FACET_OK;
}

FacetResult facet_service_unregister(FacetRuntime *rt, const FacetGuid *sid)
{
    FacetService *s;
    char text[FACET_GUID_STRING_SIZE];
    FACET_CHECK_ARG(rt, "facet_service_unregister");
    FACET_CHECK_ARG(sid, "facet_service_unregister");
    facet__os_rwlock_wrlock(&rt->lock);
    HASH_FIND(hh, rt->services, sid, sizeof(FacetGuid), s);
    if (s != NULL)
        HASH_DELETE(hh, rt->services, s);
    facet__os_rwlock_wrunlock(&rt->lock);
    if (s == NULL) {
        facet_guid_format(text, sizeof(text), sid);
        return facet__error(FACET_E_NOTFOUND, "facet_service_unregister: service %s is not "
                                              "registered",
                            text);
    }
    IFacetUnknown_Release(s->object);
    facet__free(s);
    return FACET_OK;
}

void facet__services_free(FacetRuntime *rt)
{
    FacetService *s, *tmp, *all;
    facet__os_rwlock_wrlock(&rt->lock);
    all = rt->services;
    rt->services = NULL;
    facet__os_rwlock_wrunlock(&rt->lock);
    HASH_ITER(hh, all, s, tmp) {
        HASH_DELETE(hh, all, s);
        IFacetUnknown_Release(s->object);
        facet__free(s);
    }
}

/* Why module (its manifest declared, if scanned) may not have a service
 * that needs permission, or FACET_OK. */
static FacetResult check_permission(FacetRuntime *rt, const char *module,
                                    const FacetManifest *mf, const FacetGuid *sid,
                                    const char *permission)
{
    char text[FACET_GUID_STRING_SIZE];
    facet_guid_format(text, sizeof(text), sid);
    if (!facet__manifest_has_permission(mf, permission))
        return facet__error(FACET_E_ACCESSDENIED,
                            "module %s asked for service %s, which needs permission \"%s\"; its "
                            "manifest%s does not request it (add it to \"permissions\")",
                            module, text, permission, mf ? "" : " (it has none)");
    if (!facet__config_granted(rt->config, module, permission))
        return facet__error(FACET_E_ACCESSDENIED,
                            "module %s asked for service %s, which needs permission \"%s\"; the "
                            "host configuration%s does not grant it (modules.\"%s\".permissions)",
                            module, text, permission, rt->config ? "" : " (none loaded)",
                            module);
    return FACET_OK;
}

FacetResult facet__net_permitted(FacetRuntime *rt, const char *module, const FacetManifest *mf,
                                 const char *host, uint32_t port)
{
    char right[320];
    FacetPermission pm;
    const char *why = NULL;
    int v6 = strchr(host, ':') != NULL && host[0] != '[';
    snprintf(right, sizeof(right), "net.connect:%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
             (unsigned)port);
    if (strlen(host) > 255 || !facet__permission_parse(&pm, right, NULL, 0) ||
        pm.kind != FACET_PERMISSION_NET_CONNECT)
        return facet__error(FACET_E_INVALIDARG,
                            "IFacetNet::Connect: \"%s\" port %u names no host and port a "
                            "net.connect permission could (a port from 1 to 65535)",
                            host, (unsigned)port);
    if (module == NULL)
        return FACET_OK;
    if (!facet__manifest_has_permission(mf, right))
        why = "its manifest does not request it";
    else if (!facet__config_granted(rt->config, module, right))
        why = "the host configuration does not grant it";
    if (why == NULL)
        return FACET_OK;
    return facet__error(FACET_E_ACCESSDENIED,
                        "module %s was denied a connection to %s:%u: it needs permission \"%s\", "
                        "and %s (modules.\"%s\".permissions)",
                        module, host, (unsigned)port, right, why, module);
}

FacetResult facet__service_find(FacetRuntime *rt, const char *module,
                                const FacetManifest *manifest, const FacetGuid *sid,
                                IFacetUnknown **out)
{
    FacetService *s;
    FacetResult r = FACET_OK;

    *out = NULL;
    facet__os_rwlock_rdlock(&rt->lock);
    HASH_FIND(hh, rt->services, sid, sizeof(FacetGuid), s);
    if (s != NULL && s->permission != NULL && module != NULL)
        r = check_permission(rt, module, manifest, sid, s->permission);
    if (s != NULL && FACET_SUCCEEDED(r)) {
        *out = s->object;
        IFacetUnknown_AddRef(*out);
    }
    facet__os_rwlock_rdunlock(&rt->lock);
    if (FACET_SUCCEEDED(r) && *out == NULL)
        r = FACET_E_NOINTERFACE;
    return r;
}
