/*
 * facet/facet.hpp - C++ helpers for Facet interfaces, in the spirit of
 * Microsoft::WRL::ComPtr and nsCOMPtr.
 *
 *   facet::Ptr<T>        owns one reference to a T (AddRef/Release by RAII);
 *                        As<U>() asks the object for U with QueryInterface.
 *   facet::iid_of<T>     the IID of T; headers that facet-idl generates
 *                        specialise it for every interface they declare.
 *   facet::Object<I...>  implements IFacetUnknown (atomic count, QI over the
 *                        listed interfaces) for a class implementing I...
 *   facet::Make<C>(...)  creates a C, returned as a Ptr, or NULL when out of
 *                        memory.
 *
 * Nothing here throws, and no exception may leave a method called through
 * a vtable (abi.h rule 4): it builds with -fno-exceptions -fno-rtti. C++11.
 */
#ifndef FACET_FACET_HPP
#define FACET_FACET_HPP

#include <facet/abi.h>

#if !FACET_CPP_INTERFACES
#error "facet.hpp needs the C++ form of the interfaces: do not define FACET_CINTERFACE"
#endif

#include <atomic>
#include <cstddef>
#include <new>
#include <utility>

namespace facet {

/* The IID of interface T, iid_of<T>::iid(), and its base interface,
 * iid_of<T>::base (void for IFacetUnknown). */
template <typename T> struct iid_of;

template <> struct iid_of< ::IFacetUnknown> {
    typedef void base;
    static const FacetGuid *iid() { return &IID_IFacetUnknown; }
};
#define FACET_IID_OF_(I)                                          \
    template <> struct iid_of< ::I> {                             \
        typedef ::IFacetUnknown base;                             \
        static const FacetGuid *iid() { return &IID_##I; }        \
    }
FACET_IID_OF_(IFacetFactory);
FACET_IID_OF_(IFacetHost);
FACET_IID_OF_(IFacetAllocator);
FACET_IID_OF_(IFacetLogger);
FACET_IID_OF_(IFacetBlob);
FACET_IID_OF_(IFacetString);
FACET_IID_OF_(IFacetConfig);
FACET_IID_OF_(IFacetLifecycle);
FACET_IID_OF_(IFacetReloadable);
FACET_IID_OF_(IFacetRunnable);
FACET_IID_OF_(IFacetNet);
#undef FACET_IID_OF_

/* One counted reference to a T, or none. */
template <typename T> class Ptr {
public:
    Ptr() noexcept : p_(nullptr) {}
    Ptr(std::nullptr_t) noexcept : p_(nullptr) {}
    /* Takes a new reference to p (AddRef), as ComPtr does. */
    explicit Ptr(T *p) noexcept : p_(p) { add(); }
    Ptr(const Ptr &o) noexcept : p_(o.p_) { add(); }
    Ptr(Ptr &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    ~Ptr() { release(); }

    Ptr &operator=(const Ptr &o) noexcept
    {
        Ptr(o).Swap(*this);
        return *this;
    }
    Ptr &operator=(Ptr &&o) noexcept
    {
        Ptr(std::move(o)).Swap(*this);
        return *this;
    }
    Ptr &operator=(std::nullptr_t) noexcept
    {
        Reset();
        return *this;
    }

    /* Adopts a reference the caller owns, without AddRef. */
    static Ptr Attach(T *p) noexcept
    {
        Ptr r;
        r.p_ = p;
        return r;
    }
    /* Gives the reference up to the caller, who must Release it. */
    T *Detach() noexcept
    {
        T *p = p_;
        p_ = nullptr;
        return p;
    }
    void Reset() noexcept
    {
        release();
        p_ = nullptr;
    }
    void Swap(Ptr &o) noexcept { std::swap(p_, o.p_); }

    T *Get() const noexcept { return p_; }
    T *operator->() const noexcept { return p_; }
    T &operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /* For an out parameter: releases what is held first. */
    T **ReleaseAndGetAddressOf() noexcept
    {
        Reset();
        return &p_;
    }
    /* The same, as the void ** of QueryInterface and CreateInstance. */
    void **OutVoid() noexcept { return reinterpret_cast<void **>(ReleaseAndGetAddressOf()); }

    /* QueryInterface for U into *out; FACET_E_POINTER when empty. */
    template <typename U> FacetResult As(Ptr<U> *out) const noexcept
    {
        if (!out)
            return FACET_E_POINTER;
        if (!p_) {
            out->Reset();
            return FACET_E_POINTER;
        }
        return p_->QueryInterface(iid_of<U>::iid(), out->OutVoid());
    }
    /* QueryInterface for U; an empty Ptr when the object has no U. */
    template <typename U> Ptr<U> As() const noexcept
    {
        Ptr<U> r;
        (void)As(&r);
        return r;
    }

private:
    void add() const noexcept
    {
        if (p_)
            p_->AddRef();
    }
    void release() noexcept
    {
        if (p_)
            p_->Release();
    }
    T *p_;
};

template <typename T, typename U> bool operator==(const Ptr<T> &a, const Ptr<U> &b) noexcept
{
    return static_cast<const void *>(a.Get()) == static_cast<const void *>(b.Get());
}
template <typename T, typename U> bool operator!=(const Ptr<T> &a, const Ptr<U> &b) noexcept
{
    return !(a == b);
}

namespace detail {
/* I and its bases up to (not including) IFacetUnknown. */
template <typename I, typename Base = typename iid_of<I>::base> struct chain {
    static void *find(I *p, const FacetGuid *iid) noexcept
    {
        if (FacetGuidEqual(iid, iid_of<I>::iid()))
            return p;
        return chain<Base>::find(p, iid);
    }
};
template <typename I> struct chain<I, void> {
    static void *find(I *, const FacetGuid *) noexcept { return nullptr; }
};
template <> struct chain< ::IFacetUnknown, void> {
    static void *find(IFacetUnknown *, const FacetGuid *) noexcept { return nullptr; }
};
template <typename Self, typename... Is> struct qi;
template <typename Self> struct qi<Self> {
    static void *find(Self *, const FacetGuid *) noexcept { return nullptr; }
};
template <typename Self, typename I, typename... Rest> struct qi<Self, I, Rest...> {
    static void *find(Self *self, const FacetGuid *iid) noexcept
    {
        void *p = chain<I>::find(static_cast<I *>(self), iid);
        return p ? p : qi<Self, Rest...>::find(self, iid);
    }
};
template <typename First, typename... Rest> struct first {
    typedef First type;
};
} // namespace detail

/* Implements IFacetUnknown for a class that implements Interfaces...:
 *
 *   class Greeter : public facet::Object<IGreeter, IFacetRunnable> { ... };
 *
 * QueryInterface answers IFacetUnknown (always the same pointer, for COM's
 * identity rule), each listed interface and each one's bases (through
 * iid_of<I>::base). List an interface once: listing a base of another
 * listed interface makes it an ambiguous base. The count is atomic; the object deletes itself
 * at zero. */
template <typename... Interfaces> class Object : public Interfaces... {
public:
    Object() noexcept : refs_(1) {}
    virtual ~Object() {}

    FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) override
    {
        void *p;
        if (!out)
            return FACET_E_POINTER;
        *out = nullptr;
        if (!iid)
            return FACET_E_POINTER;
        if (FacetGuidEqual(iid, &IID_IFacetUnknown))
            p = Identity();
        else
            p = detail::qi<Object, Interfaces...>::find(this, iid);
        if (!p)
            return FACET_E_NOINTERFACE;
        AddRef();
        *out = p;
        return FACET_OK;
    }
    uint32_t FACET_CALL AddRef() override { return ++refs_; }
    uint32_t FACET_CALL Release() override
    {
        uint32_t n = --refs_;
        if (n == 0)
            delete this;
        return n;
    }

    /* The object's IFacetUnknown pointer (its first interface). */
    IFacetUnknown *Identity() noexcept
    {
        typedef typename detail::first<Interfaces...>::type First;
        return static_cast<First *>(this);
    }

private:
    Object(const Object &);
    Object &operator=(const Object &);
    std::atomic<uint32_t> refs_;
};

/* new C(args...) with its first reference in a Ptr<C>; empty when out of
 * memory. */
template <typename C, typename... Args> Ptr<C> Make(Args &&... args)
{
    return Ptr<C>::Attach(new (std::nothrow) C(std::forward<Args>(args)...));
}

} // namespace facet

#endif /* FACET_FACET_HPP */
