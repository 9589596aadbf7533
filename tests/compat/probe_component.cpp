/*
 * probe_component.cpp - the probe component in C++: a class implementing
 * IProbe and IProbeAux through the C++ form of the generated header (structs
 * of pure virtual FACET_CALL methods), and a factory class for IFacetFactory.
 * The object has two vtables, so calls through IProbeAux go through the
 * compiler's this-adjusting thunks: the Itanium C++ ABI for g++ and clang++,
 * the Microsoft one for clang++ --target=*-windows-msvc.
 *
 * No exceptions, no RTTI, no C++ library: objects live in memory from the
 * host allocator (placement new), so the same file builds freestanding for
 * the MSVC ABI, where there is neither libc++ nor the MSVC STL.
 */
#include <facet/module.h> /* atomics and FACET_COMPILER_STRING only */

#include "probe.h"
#include "probe_layout.h"
#include "probe_values.h"

namespace {

IFacetHost *g_host;
IFacetAllocator *g_allocator;
uint32_t g_objects;

struct Place {
    void *p;
};

} // namespace

/* Placement in memory the caller already has: the one form of new this
 * component uses, so it needs no operator new from any C++ runtime. */
inline void *operator new(size_t, Place where) noexcept
{
    return where.p;
}

namespace {

FacetResult host_alloc(uint64_t size, void **out)
{
    *out = nullptr;
    return g_allocator ? g_allocator->Alloc(size, out) : FACET_E_UNEXPECTED;
}

void host_free(void *p)
{
    if (g_allocator && p)
        g_allocator->Free(p);
}

/* Creates a T in host memory, or returns NULL. */
template <typename T, typename A> T *create(A arg)
{
    void *mem;
    if (FACET_FAILED(host_alloc(sizeof(T), &mem)))
        return nullptr;
    FacetAtomicIncrement(&g_objects);
    return new (Place{mem}) T(arg);
}

template <typename T> void destroy(T *obj)
{
    obj->~T();
    host_free(obj);
    FacetAtomicDecrement(&g_objects);
}

FacetResult make_bytes(uint32_t n, uint32_t seed, uint8_t **out)
{
    FacetResult r = host_alloc(n, reinterpret_cast<void **>(out));
    if (FACET_FAILED(r))
        return r;
    for (uint32_t i = 0; i < n; i++)
        (*out)[i] = probe_pattern(seed, i);
    return FACET_OK;
}

/* QueryInterface for an object with one interface I, whose IID is own. */
template <typename I> FacetResult query_one(I *self, const FacetGuid *own, const FacetGuid *iid,
                                            void **out)
{
    if (!out)
        return FACET_E_POINTER;
    *out = nullptr;
    if (!iid)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, own))
        return FACET_E_NOINTERFACE;
    self->AddRef();
    *out = self;
    return FACET_OK;
}

class Blob final : public IFacetBlob {
public:
    explicit Blob(uint32_t size) : refs_(1), size_(size), data_(nullptr) {}
    ~Blob() { host_free(data_); }

    FacetResult Fill(uint32_t seed) { return make_bytes(static_cast<uint32_t>(size_), seed, &data_); }

    FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) override
    {
        return query_one(this, &IID_IFacetBlob, iid, out);
    }
    uint32_t FACET_CALL AddRef() override { return FacetAtomicIncrement(&refs_); }
    uint32_t FACET_CALL Release() override
    {
        uint32_t n = FacetAtomicDecrement(&refs_);
        if (n == 0)
            destroy(this);
        return n;
    }
    FacetResult FACET_CALL GetData(const uint8_t **out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = data_;
        return FACET_OK;
    }
    FacetResult FACET_CALL GetSize(uint64_t *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = size_;
        return FACET_OK;
    }

private:
    uint32_t refs_;
    uint64_t size_;
    uint8_t *data_;
};

class Probe final : public IProbe, public IProbeAux {
public:
    explicit Probe(int) : refs_(1) {}

    /* One definition overrides the method of both bases; IProbeAux's slot
     * gets a thunk that adjusts this. */
    FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = nullptr;
        if (!iid)
            return FACET_E_POINTER;
        if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IProbe))
            *out = static_cast<IProbe *>(this);
        else if (FacetGuidEqual(iid, &IID_IProbeAux))
            *out = static_cast<IProbeAux *>(this);
        else
            return FACET_E_NOINTERFACE;
        AddRef();
        return FACET_OK;
    }
    uint32_t FACET_CALL AddRef() override { return FacetAtomicIncrement(&refs_); }
    uint32_t FACET_CALL Release() override
    {
        uint32_t n = FacetAtomicDecrement(&refs_);
        if (n == 0)
            destroy(this);
        return n;
    }

    FacetResult FACET_CALL Integers(int32_t i32, uint32_t u32, int64_t i64, uint64_t u64,
                                    int32_t *o_i32, uint32_t *o_u32, int64_t *o_i64,
                                    uint64_t *o_u64) override
    {
        if (!o_i32 || !o_u32 || !o_i64 || !o_u64)
            return FACET_E_POINTER;
        *o_i32 = probe_i32(i32);
        *o_u32 = probe_u32(u32);
        *o_i64 = probe_i64(i64);
        *o_u64 = probe_u64(u64);
        return FACET_OK;
    }
    FacetResult FACET_CALL Floats(float f, double d, float *o_f, double *o_d) override
    {
        if (!o_f || !o_d)
            return FACET_E_POINTER;
        *o_f = probe_f32(f);
        *o_d = probe_f64(d);
        return FACET_OK;
    }
    FacetResult FACET_CALL Mixed(int32_t a, double b, int64_t c, float d, uint32_t e, uint64_t f,
                                 double g, int32_t h, float i, int64_t j, double k,
                                 uint64_t *checksum) override
    {
        if (!checksum)
            return FACET_E_POINTER;
        *checksum = probe_mixed_checksum(a, b, c, d, e, f, g, h, i, j, k);
        return FACET_OK;
    }
    FacetResult FACET_CALL Pointers(const void *p, const void *q, const void **o_p,
                                    const void **o_q) override
    {
        if (!o_p || !o_q)
            return FACET_E_POINTER;
        *o_p = p;
        *o_q = q;
        return FACET_OK;
    }
    FacetResult FACET_CALL Guids(const FacetGuid *in, FacetGuid *out, uint8_t *bytes) override
    {
        if (!in || !out || !bytes)
            return FACET_E_POINTER;
        probe_guid_complement(out, in);
        for (uint32_t i = 0; i < 16; i++)
            bytes[i] = reinterpret_cast<const uint8_t *>(in)[i];
        return FACET_OK;
    }
    FacetResult FACET_CALL Record(ProbeRecord *record) override
    {
        return probe_record_answer(record);
    }
    FacetResult FACET_CALL MakeText(uint32_t n, char **text) override
    {
        if (!text)
            return FACET_E_POINTER;
        FacetResult r = host_alloc(probe_text_size(n), reinterpret_cast<void **>(text));
        if (FACET_SUCCEEDED(r))
            probe_text_fill(*text, n);
        return r;
    }
    FacetResult FACET_CALL ReadText(const char *text, uint32_t *length,
                                    uint32_t *checksum) override
    {
        return probe_text_read(text, length, checksum);
    }
    FacetResult FACET_CALL MakeBytes(uint32_t n, uint32_t seed, uint8_t **bytes) override
    {
        if (!bytes)
            return FACET_E_POINTER;
        return make_bytes(n, seed, bytes);
    }
    FacetResult FACET_CALL MakeBlob(uint32_t n, uint32_t seed, IFacetBlob **blob) override
    {
        if (!blob)
            return FACET_E_POINTER;
        *blob = nullptr;
        Blob *b = create<Blob>(n);
        if (!b)
            return FACET_E_OUTOFMEMORY;
        FacetResult r = b->Fill(seed);
        if (FACET_FAILED(r)) {
            b->Release();
            return r;
        }
        *blob = b;
        return FACET_OK;
    }
    FacetResult FACET_CALL CallBack(IProbeCallback *cb, int32_t n, int64_t *sum) override
    {
        if (!cb || !sum)
            return FACET_E_POINTER;
        *sum = 0;
        FacetResult r = FACET_OK;
        cb->AddRef();
        for (int32_t i = 1; i <= n && FACET_SUCCEEDED(r); i++) {
            int64_t v = 0;
            r = cb->Step(i, i * 0.5, probe_step_c(i), &v);
            *sum += v;
        }
        cb->Release();
        return r;
    }
    FacetResult FACET_CALL GetLayout(uint32_t capacity, uint64_t *figures,
                                     uint32_t *count) override
    {
        if (!figures || !count)
            return FACET_E_POINTER;
        *count = probe_layout_fill(figures, capacity);
        return *count <= capacity ? FACET_OK : FACET_E_INVALIDARG;
    }

    FacetResult FACET_CALL Twice(uint32_t x, uint32_t *y) override
    {
        if (!y)
            return FACET_E_POINTER;
        *y = x * 2u;
        return FACET_OK;
    }
    FacetResult FACET_CALL GetProbe(IProbe **probe) override
    {
        return QueryInterface(&IID_IProbe, reinterpret_cast<void **>(probe));
    }

private:
    uint32_t refs_;
};

const FacetGuid kProbeIids[] = {IID_IProbe, IID_IProbeAux};

void drop_host()
{
    if (g_allocator)
        g_allocator->Release();
    if (g_host)
        g_host->Release();
    g_allocator = nullptr;
    g_host = nullptr;
}

/* A static object: references to it do not count for CanUnload. */
class Factory final : public IFacetFactory {
public:
    /* constexpr: constant-initialised, so no C++ runtime has to construct it
     * (the freestanding builds have none). */
    constexpr Factory() : refs_(0) {}
    FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) override
    {
        return query_one(this, &IID_IFacetFactory, iid, out);
    }
    uint32_t FACET_CALL AddRef() override { return FacetAtomicIncrement(&refs_); }
    uint32_t FACET_CALL Release() override
    {
        uint32_t n = FacetAtomicDecrement(&refs_);
        if (n == 0)
            drop_host();
        return n;
    }
    FacetResult FACET_CALL GetModuleInfo(FacetModuleInfo *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        FacetModuleInfo info = {sizeof(FacetModuleInfo), FACET_ABI_VERSION,  PROBE_MODULE_NAME,
                                PROBE_MODULE_VERSION,    FACET_API_LEVEL, FACET_COMPILER_STRING};
        copy_prefix(out, &info);
        return FACET_OK;
    }
    FacetResult FACET_CALL GetClassCount(uint32_t *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = 1;
        return FACET_OK;
    }
    FacetResult FACET_CALL DescribeClass(uint32_t index, FacetClassInfo *out) override
    {
        if (!out)
            return FACET_E_POINTER;
        if (index != 0)
            return FACET_E_INVALIDARG;
        FacetClassInfo info = {sizeof(FacetClassInfo), CLSID_ProbeClass, PROBE_MODULE_NAME,
                               PROBE_MODULE_VERSION,   FACET_THREADING_ANY, 2, kProbeIids};
        copy_prefix(out, &info);
        return FACET_OK;
    }
    FacetResult FACET_CALL CreateInstance(const FacetGuid *clsid, IFacetUnknown *outer,
                                          const FacetGuid *iid, void **out) override
    {
        if (!out)
            return FACET_E_POINTER;
        *out = nullptr;
        if (!clsid || !iid)
            return FACET_E_POINTER;
        if (!FacetGuidEqual(clsid, &CLSID_ProbeClass))
            return FACET_E_CLASSNOTREG;
        if (outer)
            return FACET_E_NOAGGREGATION;
        Probe *p = create<Probe>(0);
        if (!p)
            return FACET_E_OUTOFMEMORY;
        FacetResult r = p->QueryInterface(iid, out);
        p->Release();
        return r;
    }
    FacetResult FACET_CALL CanUnload() override
    {
        return FacetAtomicLoad(&g_objects) == 0 ? FACET_OK : FACET_FALSE;
    }

    uint32_t refs_;

private:
    /* abi.h rule 5: write no further than the caller's struct_size. */
    template <typename S> static void copy_prefix(S *out, const S *in)
    {
        uint32_t size = out->struct_size < sizeof(S) ? out->struct_size
                                                     : static_cast<uint32_t>(sizeof(S));
        for (uint32_t i = sizeof(uint32_t); i < size; i++)
            reinterpret_cast<unsigned char *>(out)[i] = reinterpret_cast<const unsigned char *>(in)[i];
        out->struct_size = size;
    }
};

Factory g_factory;

} // namespace

FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    if (!factory || !iid)
        return FACET_E_POINTER;
    *factory = nullptr;
    if (host_abi_version != FACET_ABI_VERSION)
        return FACET_E_ABIMISMATCH;
    if (host) {
        drop_host();
        FacetResult r = host->QueryInterface(&IID_IFacetHost, reinterpret_cast<void **>(&g_host));
        if (FACET_FAILED(r))
            return r;
        if (FACET_FAILED(g_host->QueryInterface(&IID_IFacetAllocator,
                                                reinterpret_cast<void **>(&g_allocator))))
            g_allocator = nullptr;
    }
    FacetResult r = g_factory.QueryInterface(iid, factory);
    if (FACET_FAILED(r) && FacetAtomicLoad(&g_factory.refs_) == 0)
        drop_host();
    return r;
}
