/*
 * ptr.cpp - facet::Ptr, facet::Object and facet::Make from <facet/facet.hpp>,
 * built with -fno-exceptions -fno-rtti.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern "C" {
#include <cmocka.h>
}

#include <facet/facet.hpp>

namespace {

int live_objects = 0;

/* Text that is both a blob and a string. */
class Text : public facet::Object<IFacetString, IFacetBlob> {
public:
    explicit Text(const char *s) : s_(s) { live_objects++; }
    ~Text() { live_objects--; }
    FacetResult FACET_CALL GetText(const char **out) override
    {
        *out = s_;
        return FACET_OK;
    }
    FacetResult FACET_CALL GetLength(uint64_t *out) override
    {
        *out = strlen(s_);
        return FACET_OK;
    }
    FacetResult FACET_CALL GetData(const uint8_t **out) override
    {
        *out = reinterpret_cast<const uint8_t *>(s_);
        return FACET_OK;
    }
    FacetResult FACET_CALL GetSize(uint64_t *out) override { return GetLength(out); }

private:
    const char *s_;
};

uint32_t refs(IFacetUnknown *p)
{
    p->AddRef();
    return p->Release();
}

} // namespace

static void test_cpp_ptr__make_and_release(void **)
{
    {
        facet::Ptr<Text> t = facet::Make<Text>("hi");
        assert_true(static_cast<bool>(t));
        assert_int_equal(live_objects, 1);
        assert_int_equal(refs(t->Identity()), 1);
    }
    assert_int_equal(live_objects, 0);
}

static void test_cpp_ptr__copy_and_move(void **)
{
    {
        facet::Ptr<Text> a = facet::Make<Text>("x");
        facet::Ptr<Text> b = a;
        assert_int_equal(refs(a->Identity()), 2);
        facet::Ptr<Text> c = std::move(b);
        assert_false(static_cast<bool>(b));
        assert_int_equal(refs(a->Identity()), 2);
        c = nullptr;
        assert_int_equal(refs(a->Identity()), 1);
        b = a;
        a = b;
        assert_int_equal(refs(a->Identity()), 2);
    }
    assert_int_equal(live_objects, 0);
}

static void test_cpp_ptr__as(void **)
{
    {
        facet::Ptr<Text> t = facet::Make<Text>("hello");
        facet::Ptr<IFacetString> s = t.As<IFacetString>();
        facet::Ptr<IFacetBlob> b;
        facet::Ptr<IFacetLogger> none;
        facet::Ptr<IFacetUnknown> u1, u2;
        const char *text = nullptr;
        uint64_t size = 0;
        assert_true(static_cast<bool>(s));
        assert_int_equal(s->GetText(&text), FACET_OK);
        assert_string_equal(text, "hello");
        assert_int_equal(s.As(&b), FACET_OK);
        assert_int_equal(b->GetSize(&size), FACET_OK);
        assert_int_equal(size, 5);
        assert_int_equal(b.As(&none), FACET_E_NOINTERFACE);
        assert_false(static_cast<bool>(none));
        /* COM identity: IFacetUnknown is the same pointer from every interface */
        assert_int_equal(s.As(&u1), FACET_OK);
        assert_int_equal(b.As(&u2), FACET_OK);
        assert_true(u1 == u2);
        assert_int_equal(refs(u1.Get()), 5); /* t, s, b, u1, u2 */
    }
    assert_int_equal(live_objects, 0);
}

static void test_cpp_ptr__attach_detach(void **)
{
    Text *raw = new Text("r");
    facet::Ptr<IFacetString> p = facet::Ptr<IFacetString>::Attach(raw);
    IFacetString *d;
    assert_int_equal(refs(raw->Identity()), 1);
    d = p.Detach();
    assert_false(static_cast<bool>(p));
    assert_int_equal(d->Release(), 0);
    assert_int_equal(live_objects, 0);
}

static void test_cpp_ptr__empty(void **)
{
    facet::Ptr<IFacetString> p;
    facet::Ptr<IFacetBlob> b;
    assert_int_equal(p.As(&b), FACET_E_POINTER);
    assert_int_equal(p.As<IFacetBlob>().Get(), nullptr);
    assert_int_equal(p.As(static_cast<facet::Ptr<IFacetBlob> *>(nullptr)), FACET_E_POINTER);
}

static void test_cpp_ptr__query_interface_rules(void **)
{
    facet::Ptr<Text> t = facet::Make<Text>("q");
    void *out = &out;
    assert_int_equal(t->QueryInterface(&IID_IFacetHost, &out), FACET_E_NOINTERFACE);
    assert_null(out);
    assert_int_equal(t->QueryInterface(nullptr, &out), FACET_E_POINTER);
    assert_int_equal(t->QueryInterface(&IID_IFacetBlob, nullptr), FACET_E_POINTER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpp_ptr__make_and_release),
        cmocka_unit_test(test_cpp_ptr__copy_and_move),
        cmocka_unit_test(test_cpp_ptr__as),
        cmocka_unit_test(test_cpp_ptr__attach_detach),
        cmocka_unit_test(test_cpp_ptr__empty),
        cmocka_unit_test(test_cpp_ptr__query_interface_rules),
    };
    return cmocka_run_group_tests_name("test_cpp_ptr", tests, NULL, NULL);
}
