/*
 * polite.cpp - a second greeter, "org.example.polite", written in C++ with
 * the module kit (facet/module.hpp): a plain class with the methods of
 * IGreeter and IGreeterStats. The kit writes the object, its
 * QueryInterface, AddRef and Release, the factory and the export.
 */
#include <facet/module.hpp>

#include <atomic>
#include <string>

#include "greeter.h"

class Polite {
public:
    FacetResult Greet(const char *name, IFacetString **greeting)
    {
        if (!name || !greeting)
            return FACET_E_POINTER;
        greetings_++;
        /* A throw (std::bad_alloc here) returns a failure result instead. */
        std::string text = "Good day to you, " + std::string(name) + ".";
        return facet::kit::String(greeting, text.c_str());
    }
    FacetResult GetGreetCount(uint64_t *count)
    {
        if (!count)
            return FACET_E_POINTER;
        *count = greetings_;
        return FACET_OK;
    }

private:
    std::atomic<uint64_t> greetings_{0};
};

static const FacetKitClassDef classes[] = {
    facet::kit::Class<Polite, IGreeter, IGreeterStats>("org.example.polite", "1.0.0",
                                                       FACET_THREADING_ANY, CLSID_Polite)};
FACET_KIT_MODULE("org.example.polite", "1.0.0", classes)
