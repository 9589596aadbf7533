/*
 * bench/peer/peas_plugin.c - the libpeas C plugin of peer.libpeas.load: it
 * registers one type, as the Facet benchmark module registers its classes.
 * Each copy is its own module (libbenchpeas_<n>.so), so the type name comes
 * from the module name.
 */
#include <libpeas/peas.h>

typedef struct {
    GObject parent;
} BenchPeasPlugin;

typedef struct {
    GObjectClass parent_class;
} BenchPeasPluginClass;

static void bench_peas_plugin_class_init(gpointer klass, gpointer data)
{
    (void)klass;
    (void)data;
}

static void bench_peas_plugin_init(GTypeInstance *self, gpointer klass)
{
    (void)self;
    (void)klass;
}

G_MODULE_EXPORT void peas_register_types(PeasObjectModule *module);

G_MODULE_EXPORT void peas_register_types(PeasObjectModule *module)
{
    static const GTypeInfo info = {sizeof(BenchPeasPluginClass), NULL, NULL,
                                   bench_peas_plugin_class_init, NULL, NULL,
                                   sizeof(BenchPeasPlugin), 0, bench_peas_plugin_init, NULL};
    gchar *name = NULL, *type_name;
    g_object_get(module, "module-name", &name, NULL);
    type_name = g_strdup_printf("BenchPeasPlugin_%s", name);
    g_type_module_register_type(G_TYPE_MODULE(module), G_TYPE_OBJECT, type_name, &info, 0);
    g_free(type_name);
    g_free(name);
}
