package abi

/*
#include <facet/abi.h>

static FacetResult facetgo_host_api_level(void *h, uint32_t *out)
{
    return ((IFacetHost *)h)->lpVtbl->GetApiLevel((IFacetHost *)h, out);
}

static FacetResult facetgo_host_query_service(void *h, const FacetGuid *sid, const FacetGuid *iid,
                                              void **out)
{
    return ((IFacetHost *)h)->lpVtbl->QueryService((IFacetHost *)h, sid, iid, out);
}

static FacetResult facetgo_host_create_by_name(void *h, const char *name, const FacetGuid *iid,
                                               void **out)
{
    return ((IFacetHost *)h)->lpVtbl->CreateInstanceByName((IFacetHost *)h, name, NULL, iid, out);
}

static FacetResult facetgo_host_create(void *h, const FacetGuid *clsid, const FacetGuid *iid,
                                       void **out)
{
    return ((IFacetHost *)h)->lpVtbl->CreateInstance((IFacetHost *)h, clsid, NULL, iid, out);
}

static FacetResult facetgo_logger_log(void *l, uint32_t level, const char *message)
{
    return ((IFacetLogger *)l)->lpVtbl->Log((IFacetLogger *)l, level, message);
}

static FacetResult facetgo_logger_enabled(void *l, uint32_t level)
{
    return ((IFacetLogger *)l)->lpVtbl->IsEnabled((IFacetLogger *)l, level);
}

static FacetResult facetgo_config_string(void *c, const char *key, const char **out)
{
    return ((IFacetConfig *)c)->lpVtbl->GetString((IFacetConfig *)c, key, out);
}

static FacetResult facetgo_config_int(void *c, const char *key, int64_t *out)
{
    return ((IFacetConfig *)c)->lpVtbl->GetInt((IFacetConfig *)c, key, out);
}

static FacetResult facetgo_config_double(void *c, const char *key, double *out)
{
    return ((IFacetConfig *)c)->lpVtbl->GetDouble((IFacetConfig *)c, key, out);
}

static FacetResult facetgo_config_bool(void *c, const char *key, uint32_t *out)
{
    return ((IFacetConfig *)c)->lpVtbl->GetBool((IFacetConfig *)c, key, out);
}
*/
import "C"

import (
	"unsafe"
)

// CString is s as a NUL-terminated C string in Go memory, for the length
// of one C call that reads it.
func CString(s string) *C.char {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// ---- IFacetHost -------------------------------------------------------

// IFacetHostPtr is a reference to a host object: the one a module was
// handed (component.Host), or a runtime's.
type IFacetHostPtr struct{ Ref }

func (*IFacetHostPtr) InterfaceID() GUID         { return IID_IFacetHost }
func (*IFacetHostPtr) InterfaceName() string     { return "IFacetHost" }
func (h *IFacetHostPtr) Attach(p unsafe.Pointer) { h.Ref = Own(p, "IFacetHost") }

// APILevel is the host API level the host offers.
func (h *IFacetHostPtr) APILevel() (uint32, error) {
	p, err := h.Enter()
	if err != nil {
		return 0, err
	}
	defer h.Leave()
	var out C.uint32_t
	if r := Result(C.facetgo_host_api_level(p, &out)); r.Failed() {
		return 0, NewError(r, "IFacetHost.GetApiLevel failed")
	}
	return uint32(out), nil
}

// QueryService fills out with the host's service sid, asked for by out's
// interface. ErrAccessDenied when the module may not use it.
func (h *IFacetHostPtr) QueryService(out Wrapper, sid GUID) error {
	p, err := h.Enter()
	if err != nil {
		return err
	}
	defer h.Leave()
	csid, ciid := sid.c(), out.InterfaceID().c()
	var q unsafe.Pointer
	if r := Result(C.facetgo_host_query_service(p, &csid, &ciid, &q)); r.Failed() {
		return NewError(r, "the host has no service %s for %s", sid, out.InterfaceName())
	}
	out.Attach(q)
	return nil
}

// CreateByName creates an object of the class that a contract name, an
// alias or a clsid's text names, through the host, and fills out with it.
func (h *IFacetHostPtr) CreateByName(out Wrapper, name string) error {
	p, err := h.Enter()
	if err != nil {
		return err
	}
	defer h.Leave()
	ciid := out.InterfaceID().c()
	var q unsafe.Pointer
	if r := Result(C.facetgo_host_create_by_name(p, CString(name), &ciid, &q)); r.Failed() {
		return NewError(r, "the host could not create %q as %s", name, out.InterfaceName())
	}
	out.Attach(q)
	return nil
}

// Create creates an object of class clsid through the host.
func (h *IFacetHostPtr) Create(out Wrapper, clsid GUID) error {
	p, err := h.Enter()
	if err != nil {
		return err
	}
	defer h.Leave()
	cclsid, ciid := clsid.c(), out.InterfaceID().c()
	var q unsafe.Pointer
	if r := Result(C.facetgo_host_create(p, &cclsid, &ciid, &q)); r.Failed() {
		return NewError(r, "the host could not create class %s as %s", clsid, out.InterfaceName())
	}
	out.Attach(q)
	return nil
}

// ---- IFacetLogger -----------------------------------------------------

// The levels of IFacetLogger.
const (
	LogTrace uint32 = C.FACET_LOG_TRACE
	LogDebug uint32 = C.FACET_LOG_DEBUG
	LogInfo  uint32 = C.FACET_LOG_INFO
	LogWarn  uint32 = C.FACET_LOG_WARN
	LogError uint32 = C.FACET_LOG_ERROR
)

// IFacetLoggerPtr is a reference to the host's logger service.
type IFacetLoggerPtr struct{ Ref }

func (*IFacetLoggerPtr) InterfaceID() GUID         { return IID_IFacetLogger }
func (*IFacetLoggerPtr) InterfaceName() string     { return "IFacetLogger" }
func (l *IFacetLoggerPtr) Attach(p unsafe.Pointer) { l.Ref = Own(p, "IFacetLogger") }

// Log writes one line at level (LogInfo, ...).
func (l *IFacetLoggerPtr) Log(level uint32, message string) error {
	p, err := l.Enter()
	if err != nil {
		return err
	}
	defer l.Leave()
	return Check(Result(C.facetgo_logger_log(p, C.uint32_t(level), CString(message))))
}

// IsEnabled reports whether lines at level are kept.
func (l *IFacetLoggerPtr) IsEnabled(level uint32) bool {
	p, err := l.Enter()
	if err != nil {
		return false
	}
	defer l.Leave()
	return Result(C.facetgo_logger_enabled(p, C.uint32_t(level))) == OK
}

// ---- IFacetConfig -----------------------------------------------------

// IFacetConfigPtr is a reference to a module's own configuration values.
type IFacetConfigPtr struct{ Ref }

func (*IFacetConfigPtr) InterfaceID() GUID         { return IID_IFacetConfig }
func (*IFacetConfigPtr) InterfaceName() string     { return "IFacetConfig" }
func (c *IFacetConfigPtr) Attach(p unsafe.Pointer) { c.Ref = Own(p, "IFacetConfig") }

// String is the text at key ("cache.dir"); ErrNotFound when there is none.
func (c *IFacetConfigPtr) String(key string) (string, error) {
	p, err := c.Enter()
	if err != nil {
		return "", err
	}
	defer c.Leave()
	var out *C.char
	if r := Result(C.facetgo_config_string(p, CString(key), &out)); r.Failed() {
		return "", NewError(r, "configuration key %q", key)
	}
	return C.GoString(out), nil
}

// Int is the integer at key.
func (c *IFacetConfigPtr) Int(key string) (int64, error) {
	p, err := c.Enter()
	if err != nil {
		return 0, err
	}
	defer c.Leave()
	var out C.int64_t
	if r := Result(C.facetgo_config_int(p, CString(key), &out)); r.Failed() {
		return 0, NewError(r, "configuration key %q", key)
	}
	return int64(out), nil
}

// Float is the number at key.
func (c *IFacetConfigPtr) Float(key string) (float64, error) {
	p, err := c.Enter()
	if err != nil {
		return 0, err
	}
	defer c.Leave()
	var out C.double
	if r := Result(C.facetgo_config_double(p, CString(key), &out)); r.Failed() {
		return 0, NewError(r, "configuration key %q", key)
	}
	return float64(out), nil
}

// Bool is the boolean at key.
func (c *IFacetConfigPtr) Bool(key string) (bool, error) {
	p, err := c.Enter()
	if err != nil {
		return false, err
	}
	defer c.Leave()
	var out C.uint32_t
	if r := Result(C.facetgo_config_bool(p, CString(key), &out)); r.Failed() {
		return false, NewError(r, "configuration key %q", key)
	}
	return out != 0, nil
}
