/*
 * marshal_objects.h - the object behind IMarshalTest and a callback object,
 * and the test bodies that call them: the same bodies run against the
 * object itself, through the generated proxies and stubs, and across
 * connections (the tests of this folder).
 */
#ifndef MARSHAL_OBJECTS_H
#define MARSHAL_OBJECTS_H

#include "marshal.h"

/* Where the object's [out] strings come from and where the caller's go:
 * the runtime's allocator where there is one (each test defines them). */
void *marshal_alloc(size_t size);
void marshal_free(void *p);

typedef struct MarshalObject {
    IMarshalTest itf;
    uint32_t refs;              /* atomic */
    IMarshalCallback *kept;
} MarshalObject;

typedef struct MarshalCallback {
    IMarshalCallback itf;
    uint32_t refs;              /* atomic */
    int32_t value;
    char text[64];
} MarshalCallback;

/* With one reference each. */
MarshalObject *marshal_object_new(void);
uint32_t marshal_object_release(MarshalObject *o);
MarshalCallback *marshal_callback_new(void);

/* Every value kind of marshal.idl, both ways, through t. */
void marshal_check_values(IMarshalTest *t);
/* Interface pointers both ways, callbacks (nested and kept), identity. o
 * is the object behind t, whose counts are checked. */
void marshal_check_interfaces(IMarshalTest *t, MarshalObject *o);

#endif
