/*
 * facet/module.hpp - the module kit for C++, on facet::Object
 * (<facet/facet.hpp>); facet/module.h is the one for C.
 *
 * A class of the module is a plain C++ class with the methods of its
 * interfaces, under the same names, and no base; the kit makes the object
 * around it, with the vtables, QueryInterface, AddRef and Release, the
 * count of live objects behind CanUnload, the factory, struct_size handling
 * and the export. A method that throws returns a failure result instead
 * (a thrown facet::kit::Failure(r) says which; std::bad_alloc is
 * FACET_E_OUTOFMEMORY, std::invalid_argument and std::out_of_range are
 * FACET_E_INVALIDARG, anything else FACET_E_FAIL, and the host's log gets
 * what() of a std::exception): no exception crosses the boundary.
 * docs/plugins.md walks through it.
 *
 *   #include <facet/module.hpp>
 *   #include "filter.h"                 (made by facet-idl from filter.idl)
 *
 *   class Invert {
 *   public:
 *       FacetResult Apply(uint8_t *pixels, uint64_t size) { ... }
 *       FacetResult GetName(IFacetString **out) { return facet::kit::String(out, "invert"); }
 *   };
 *   static const FacetKitClassDef classes[] = {
 *       facet::kit::Class<Invert, IImageFilter, IFilterInfo>("example.invert", "1.0.0",
 *                                                           FACET_THREADING_ANY, CLSID_Invert)};
 *   FACET_KIT_MODULE("example.filters", "1.0.0", classes)
 *
 * The interfaces' vtables are facet::impl_of<I, ...>, which facet-idl
 * writes in every header it makes (this header has IFacetRunnable's). The
 * first interface listed is the object's identity. Everything of the kit
 * is in facet::kit, hidden from other modules and from the host where the
 * compiler can hide it (GCC, Clang; a DLL exports only facet_module_entry):
 * it never interposes with another copy of the kit. Builds with
 * -fno-exceptions too (then nothing is caught). C++11.
 */
#ifndef FACET_MODULE_HPP
#define FACET_MODULE_HPP

#include <facet/facet.hpp>
#include <facet/module.h>

#include <atomic>
#include <new>
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#include <exception>
#include <stdexcept>
#define FACET_KIT_EXCEPTIONS_ 1
#else
#define FACET_KIT_EXCEPTIONS_ 0
#endif

#if defined(_WIN32) || defined(__CYGWIN__)
#define FACET_KIT_HIDDEN_NS_
#else
#define FACET_KIT_HIDDEN_NS_ __attribute__((visibility("hidden")))
#endif

namespace facet {

template <typename I, typename D> struct impl_of;

/* The vtable of an impl_of<I, D> is I's, and so is its IID. */
template <typename I, typename D> struct iid_of<impl_of<I, D> > {
    typedef typename iid_of<I>::base base;
    static const FacetGuid *iid() { return iid_of<I>::iid(); }
};

template <typename D> struct impl_of< ::IFacetRunnable, D> : public ::IFacetRunnable {
    FacetResult FACET_CALL Run(uint32_t argc, const char *const *argv,
                               int32_t *exit_code) override final
    {
        FACET_IMPL_TRY return D::facet_user(this).Run(argc, argv, exit_code);
        FACET_IMPL_CATCH(D::facet_exception_result())
    }
};

namespace kit FACET_KIT_HIDDEN_NS_ {

/* Thrown by a method, returns r (a failure) from it. */
struct Failure {
    explicit Failure(FacetResult r) noexcept : result(r) {}
    FacetResult result;
};

namespace detail {
struct State {
    const FacetKitModuleDef *def;
    IFacetHost *host;
    IFacetAllocator *allocator;
    IFacetLogger *logger;
    std::atomic<uint32_t> objects;
    std::atomic<uint32_t> factory_refs;
};
/* One per module: the module's own, as the kit's names are hidden. */
inline State &state() noexcept
{
    static State s;
    return s;
}
} // namespace detail

/* The host object the module was handed, or NULL before
 * facet_module_entry; borrowed. */
inline IFacetHost *Host() noexcept { return detail::state().host; }

/* Memory from the host's allocator, which either side may free.
 * FACET_E_UNEXPECTED before facet_module_entry. */
inline FacetResult Alloc(uint64_t size, void **out) noexcept
{
    if (!out)
        return FACET_E_POINTER;
    *out = nullptr;
    IFacetAllocator *a = detail::state().allocator;
    return a ? a->Alloc(size, out) : FACET_E_UNEXPECTED;
}
inline void Free(void *p) noexcept
{
    IFacetAllocator *a = detail::state().allocator;
    if (a && p)
        a->Free(p);
}

/* A new string (UTF-8 up to the NUL) or blob of the host's, the caller's to
 * release: how text and bytes cross the boundary. */
inline FacetResult String(IFacetString **out, const char *text) noexcept
{
    if (!out)
        return FACET_E_POINTER;
    *out = nullptr;
    IFacetHost *h = Host();
    return h ? h->CreateString(text, UINT64_MAX, out) : FACET_E_UNEXPECTED;
}
inline FacetResult Blob(IFacetBlob **out, const void *data, uint64_t size) noexcept
{
    if (!out)
        return FACET_E_POINTER;
    *out = nullptr;
    IFacetHost *h = Host();
    return h ? h->CreateBlob(data, size, out) : FACET_E_UNEXPECTED;
}

/* A line in the host's log, at level FACET_LOG_*. */
inline void Log(uint32_t level, const char *message) noexcept
{
    IFacetLogger *l = detail::state().logger;
    if (l)
        l->Log(level, message);
}

/* The objects of the module alive now: CanUnload says FACET_OK at 0. */
inline uint32_t ObjectCount() noexcept { return detail::state().objects.load(); }

/* The result a method returns for the exception being handled. */
inline FacetResult ExceptionResult() noexcept
{
#if FACET_KIT_EXCEPTIONS_
    try {
        throw;
    } catch (const Failure &f) {
        return FACET_FAILED(f.result) ? f.result : FACET_E_FAIL;
    } catch (const std::bad_alloc &) {
        return FACET_E_OUTOFMEMORY;
    } catch (const std::invalid_argument &e) {
        Log(FACET_LOG_ERROR, e.what());
        return FACET_E_INVALIDARG;
    } catch (const std::out_of_range &e) {
        Log(FACET_LOG_ERROR, e.what());
        return FACET_E_INVALIDARG;
    } catch (const std::exception &e) {
        Log(FACET_LOG_ERROR, e.what());
        return FACET_E_FAIL;
    } catch (...) {
        return FACET_E_FAIL;
    }
#else
    return FACET_E_FAIL;
#endif
}

/* The object of a class User with interfaces Is...: User, made by its
 * default constructor, with the vtables of Is around it. */
template <typename User, typename... Is>
class Object final : public User, public facet::Object<impl_of<Is, Object<User, Is...> >...> {
public:
    Object() { detail::state().objects++; }
    ~Object() { detail::state().objects--; }

    template <typename S> static User &facet_user(S *self) noexcept
    {
        return *static_cast<Object *>(self);
    }
    static FacetResult facet_exception_result() noexcept { return ExceptionResult(); }
};

/* A class's CreateInstance: a new Object<User, Is...>'s interface iid. */
template <typename User, typename... Is>
FacetResult Create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Object<User, Is...> *o = nullptr;
    (void)outer; /* not aggregatable: the factory refuses an outer */
    FACET_IMPL_TRY o = new (std::nothrow) Object<User, Is...>();
    FACET_IMPL_CATCH(ExceptionResult())
    if (!o)
        return FACET_E_OUTOFMEMORY;
    FacetResult r = o->QueryInterface(iid, out);
    o->Release();
    return r;
}

namespace detail {
template <typename... Is> const FacetGuid *iids() noexcept
{
    static const FacetGuid values[] = {*iid_of<Is>::iid()...};
    return values;
}
} // namespace detail

/* The description of class User with interfaces Is..., for the module's
 * table of classes. */
template <typename User, typename... Is>
FacetKitClassDef Class(const char *contract, const char *version, uint32_t threading,
                       const FacetGuid &clsid) noexcept
{
    FacetKitClassDef c;
    c.info.struct_size = sizeof(FacetClassInfo);
    c.info.clsid = clsid;
    c.info.contract = contract;
    c.info.version = version;
    c.info.threading = threading;
    c.info.interface_count = sizeof...(Is);
    c.info.interfaces = detail::iids<Is...>();
    c.create = &Create<User, Is...>;
    c.aggregatable = 0;
    return c;
}

namespace detail {
inline void DropHost() noexcept
{
    State &s = state();
    if (s.logger)
        s.logger->Release();
    if (s.allocator)
        s.allocator->Release();
    if (s.host)
        s.host->Release();
    s.logger = nullptr;
    s.allocator = nullptr;
    s.host = nullptr;
}

/* The factory: a static object that lives as long as the module's code.
 * Its references do not count for CanUnload; when the last goes, the
 * module lets go of its host object. */
class Factory final : public IFacetFactory {
public:
    FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = nullptr;
        if (!iid)
            return FACET_E_POINTER;
        if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetFactory)) {
            AddRef();
            *out = static_cast<IFacetFactory *>(this);
            return FACET_OK;
        }
        const FacetKitModuleDef *def = state().def;
        if (def->query) {
            FACET_IMPL_TRY return def->query(iid, out);
            FACET_IMPL_CATCH(ExceptionResult())
        }
        return FACET_E_NOINTERFACE;
    }
    uint32_t FACET_CALL AddRef() override { return ++state().factory_refs; }
    uint32_t FACET_CALL Release() override
    {
        uint32_t n = --state().factory_refs;
        if (n == 0)
            DropHost();
        return n;
    }
    FacetResult FACET_CALL GetModuleInfo(FacetModuleInfo *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        facet_kit_module_info_(out, state().def);
        return FACET_OK;
    }
    FacetResult FACET_CALL GetClassCount(uint32_t *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = state().def->class_count;
        return FACET_OK;
    }
    FacetResult FACET_CALL DescribeClass(uint32_t index, FacetClassInfo *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        if (index >= state().def->class_count)
            return FACET_E_INVALIDARG;
        facet_kit_struct_out_(out, &state().def->classes[index].info, sizeof(FacetClassInfo));
        return FACET_OK;
    }
    FacetResult FACET_CALL CreateInstance(const FacetGuid *clsid, IFacetUnknown *outer,
                                          const FacetGuid *iid, void **out) override
    {
        const FacetKitClassDef *c;
        if (!out)
            return FACET_E_POINTER;
        *out = nullptr;
        FacetResult r = facet_kit_find_class_(&c, state().def, clsid, outer, iid);
        return FACET_FAILED(r) ? r : c->create(outer, iid, out);
    }
    FacetResult FACET_CALL CanUnload() override
    {
        return state().objects.load() == 0 ? FACET_OK : FACET_FALSE;
    }
};

inline Factory &factory() noexcept
{
    static Factory f;
    return f;
}
} // namespace detail

/* facet_module_entry's body: keeps the host, runs on_load, and hands out
 * the factory (see facet/module.h). */
inline FacetResult Entry(const FacetKitModuleDef *def, uint32_t host_abi_version,
                         IFacetUnknown *host, const FacetGuid *iid, void **factory) noexcept
{
    detail::State &s = detail::state();
    FacetResult r;
    if (!factory || !iid)
        return FACET_E_POINTER;
    *factory = nullptr;
    if (host_abi_version != FACET_ABI_VERSION)
        return FACET_E_ABIMISMATCH;
    s.def = def;
    if (host) {
        detail::DropHost();
        r = host->QueryInterface(&IID_IFacetHost, reinterpret_cast<void **>(&s.host));
        if (FACET_FAILED(r))
            return r;
        if (FACET_FAILED(s.host->QueryInterface(&IID_IFacetAllocator,
                                                reinterpret_cast<void **>(&s.allocator))))
            s.allocator = nullptr;
        if (FACET_FAILED(s.host->QueryInterface(&IID_IFacetLogger,
                                                reinterpret_cast<void **>(&s.logger))))
            s.logger = nullptr;
    }
    if (def->on_load) {
        FACET_IMPL_TRY r = def->on_load(s.host);
        FACET_IMPL_CATCH(ExceptionResult())
        if (FACET_FAILED(r)) {
            detail::DropHost();
            return r;
        }
    }
    r = detail::factory().QueryInterface(iid, factory);
    if (FACET_FAILED(r) && s.factory_refs.load() == 0)
        detail::DropHost();
    return r;
}

} // namespace kit
} // namespace facet

/* The export, for the module def (a FacetKitModuleDef). */
#define FACET_KIT_MODULE_DEFINE(def)                                                         \
    FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host, \
                                                const FacetGuid *iid, void **factory)          \
    {                                                                                          \
        return ::facet::kit::Entry(&(def), host_abi_version, host, iid, factory);              \
    }

/* The module definition and the export, for a module of classes (a static
 * array of FacetKitClassDef from facet::kit::Class). */
#define FACET_KIT_MODULE(name, version, classes)                                             \
    static const FacetKitModuleDef facet_kit_module_def_ = {                                 \
        name, version, FACET_API_LEVEL, FACET_KIT_COUNT(classes), classes, nullptr, nullptr};  \
    FACET_KIT_MODULE_DEFINE(facet_kit_module_def_)

#endif /* FACET_MODULE_HPP */
