/*
 * bench/peer_gobject.c - GObject, the object system under GNOME's plugin
 * engine libpeas, doing the same work as Facet in the same process: an
 * interface method call, and creating and destroying an object with one
 * interface. For each peer.* row the baseline is GObject's figure, so a
 * ratio below 1 means Facet is faster.
 */
#include <glib-object.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

/* ---- A GObject interface with the adder's one method ------------------ */

#define BENCH_TYPE_GADDER (bench_gadder_get_type())
G_DECLARE_INTERFACE(BenchGAdder, bench_gadder, BENCH, GADDER, GObject)

struct _BenchGAdderInterface {
    GTypeInterface parent_iface;
    int (*add)(BenchGAdder *self, gint32 delta, gint64 *total);
};

G_DEFINE_INTERFACE(BenchGAdder, bench_gadder, G_TYPE_OBJECT)

static void bench_gadder_default_init(BenchGAdderInterface *iface)
{
    (void)iface;
}

/* The call as GObject code makes it, less the g_return_if_fail type check
 * such wrappers usually have: G_TYPE_INSTANCE_GET_INTERFACE, then the slot. */
static int bench_gadder_add(BenchGAdder *self, gint32 delta, gint64 *total)
{
    return BENCH_GADDER_GET_IFACE(self)->add(self, delta, total);
}

#define BENCH_TYPE_GOBJ (bench_gobj_get_type())
G_DECLARE_FINAL_TYPE(BenchGObj, bench_gobj, BENCH, GOBJ, GObject)

struct _BenchGObj {
    GObject parent;
    gint64 value;
};

static int bench_gobj_add(BenchGAdder *self, gint32 delta, gint64 *total)
{
    BenchGObj *o = (BenchGObj *)self;
    o->value += delta;
    *total = o->value;
    return 0;
}

static void bench_gobj_adder_init(BenchGAdderInterface *iface)
{
    iface->add = bench_gobj_add;
}

G_DEFINE_TYPE_WITH_CODE(BenchGObj, bench_gobj, G_TYPE_OBJECT,
                        G_IMPLEMENT_INTERFACE(BENCH_TYPE_GADDER, bench_gobj_adder_init))

static void bench_gobj_class_init(BenchGObjClass *klass)
{
    (void)klass;
}

static void bench_gobj_init(BenchGObj *self)
{
    self->value = 0;
}

/* ---- Rows -------------------------------------------------------------- */

static FacetRuntime *rt;
static IBenchAdder *adder;
static BenchGAdder *gadder;

static double gobject_call(uint64_t iters)
{
    gint64 total = 0;
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        bench_gadder_add(gadder, 1, &total);
    bench_use(total);
    return (double)(bench_now() - t0) / (double)iters;
}

static double facet_call(uint64_t iters)
{
    return bench_vtable_calls(adder, iters);
}

static double gobject_create(uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        g_object_unref(g_object_new(BENCH_TYPE_GOBJ, NULL));
    return (double)(bench_now() - t0) / (double)iters;
}

static double facet_create(uint64_t iters)
{
    return bench_creates_by_clsid(rt, iters);
}

static int setup(void)
{
    if (bench_runtime_with(&rt, NULL, "bench_mod.so"))
        return 1;
    if (FACET_FAILED(facet_create_instance((void **)&adder, rt, &CLSID_BenchAdder, NULL,
                                           &IID_IBenchAdder)))
        return bench_fail("facet_create_instance");
    gadder = BENCH_GADDER(g_object_new(BENCH_TYPE_GOBJ, NULL));
    return 0;
}

static void teardown(void)
{
    if (adder != NULL)
        IBenchAdder_Release(adder);
    if (gadder != NULL)
        g_object_unref(gadder);
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"gobject.call", gobject_call},
    {"peer.gobject.call", facet_call},
    {"gobject.create", gobject_create},
    {"peer.gobject.create", facet_create},
};

static const BenchArea area = {"peer_gobject", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
