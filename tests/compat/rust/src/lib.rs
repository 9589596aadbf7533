//! The probe component in Rust: one object implementing IProbe and
//! IProbeAux of tests/compat/probe.idl, a blob object, a static factory and
//! the one export, laid out with `#[repr(C)]` so that every host of the
//! matrix checks it as it checks the C one (tests/compat/probe_host.c). The
//! values it computes are those of probe_values.h.

// The names of probe.idl and abi.h, as C spells them.
#![allow(non_upper_case_globals, non_snake_case)]

use core::ffi::{c_char, c_void};
use core::mem::{size_of, MaybeUninit};
use core::ptr::{self, null_mut};
use core::sync::atomic::{AtomicU32, Ordering};

use facet_abi::module::{self, host_alloc, object_created, object_destroyed, Class, Module};
use facet_abi::*;

// ---- probe.idl ----------------------------------------------------------

const IID_IProbe: FacetGuid =
    FacetGuid::new(0x0F5B_3A20, 0x6D1E, 0x4C7A, [0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x02]);
const IID_IProbeAux: FacetGuid =
    FacetGuid::new(0x0F5B_3A20, 0x6D1E, 0x4C7A, [0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x03]);
const CLSID_ProbeClass: FacetGuid =
    FacetGuid::new(0x0F5B_3A20, 0x6D1E, 0x4C7A, [0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x10]);

/// ProbeRecord: version 1 ends before `extra`.
#[repr(C)]
struct ProbeRecord {
    struct_size: u32,
    i32_: i32,
    u64_: u64,
    f64_: f64,
    f32_: f32,
    guid: FacetGuid,
    // version 2
    extra: i64,
    pointer: *mut c_void,
}

#[repr(C)]
struct IProbeCallback {
    vtbl: *const IProbeCallbackVtbl,
}

#[repr(C)]
struct IProbeCallbackVtbl {
    unknown: IFacetUnknownVtbl<IProbeCallback>,
    Step: unsafe extern "system" fn(*mut IProbeCallback, i32, f64, i64, *mut i64) -> FacetResult,
}

#[repr(C)]
struct IProbeVtbl {
    unknown: IFacetUnknownVtbl<Probe>,
    Integers: unsafe extern "system" fn(*mut Probe, i32, u32, i64, u64, *mut i32, *mut u32, *mut i64, *mut u64) -> FacetResult,
    Floats: unsafe extern "system" fn(*mut Probe, f32, f64, *mut f32, *mut f64) -> FacetResult,
    Mixed: unsafe extern "system" fn(*mut Probe, i32, f64, i64, f32, u32, u64, f64, i32, f32, i64, f64, *mut u64) -> FacetResult,
    Pointers: unsafe extern "system" fn(*mut Probe, *const c_void, *const c_void, *mut *const c_void, *mut *const c_void) -> FacetResult,
    Guids: unsafe extern "system" fn(*mut Probe, *const FacetGuid, *mut FacetGuid, *mut u8) -> FacetResult,
    Record: unsafe extern "system" fn(*mut Probe, *mut ProbeRecord) -> FacetResult,
    MakeText: unsafe extern "system" fn(*mut Probe, u32, *mut *mut c_char) -> FacetResult,
    ReadText: unsafe extern "system" fn(*mut Probe, *const c_char, *mut u32, *mut u32) -> FacetResult,
    MakeBytes: unsafe extern "system" fn(*mut Probe, u32, u32, *mut *mut u8) -> FacetResult,
    MakeBlob: unsafe extern "system" fn(*mut Probe, u32, u32, *mut *mut Blob) -> FacetResult,
    CallBack: unsafe extern "system" fn(*mut Probe, *mut IProbeCallback, i32, *mut i64) -> FacetResult,
    GetLayout: unsafe extern "system" fn(*mut Probe, u32, *mut u64, *mut u32) -> FacetResult,
}

#[repr(C)]
struct IProbeAuxVtbl {
    unknown: IFacetUnknownVtbl<Aux>,
    Twice: unsafe extern "system" fn(*mut Aux, u32, *mut u32) -> FacetResult,
    GetProbe: unsafe extern "system" fn(*mut Aux, *mut *mut Probe) -> FacetResult,
}

// ---- probe_values.h -------------------------------------------------------

const XOR32: u32 = 0x5A5A_A5A5;
const XOR64: u64 = 0xF0E1_D2C3_B4A5_9687;
const FNV_INIT: u32 = 2_166_136_261;
const TEXT_PREFIX: &[u8] = b"probe \xE2\x9C\x93 \xC3\xBC\xC3\xB1\xC3\xAF\xC3\xA7\xC3\xB8d\xC3\xA9 \xF0\x9F\x8C\x8D n=";

fn fnv(mut h: u32, data: &[u8]) -> u32 {
    for &b in data {
        h ^= b as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

fn mix64(h: u32, v: u64) -> u32 {
    fnv(h, &v.to_le_bytes())
}

fn complement(g: &FacetGuid) -> FacetGuid {
    let mut d = [0u8; 8];
    for (o, i) in d.iter_mut().zip(g.data4.iter()) {
        *o = !*i;
    }
    FacetGuid::new(!g.data1, !g.data2, !g.data3, d)
}

fn pattern(seed: u32, i: u32) -> u8 {
    (seed.wrapping_mul(31).wrapping_add(i.wrapping_mul(7)) ^ (i >> 8)) as u8
}

fn step_c(i: i32) -> i64 {
    ((i as i64) << 40) | i as i64
}

// ---- The blob -------------------------------------------------------------

#[repr(C)]
struct Blob {
    vtbl: *const IFacetBlobVtbl<Blob>,
    refs: AtomicU32,
    data: Vec<u8>,
}

unsafe extern "system" fn blob_qi(this: *mut Blob, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = null_mut();
    if iid.is_null() {
        return FACET_E_POINTER;
    }
    if *iid != IID_IFacetUnknown && *iid != IID_IFacetBlob {
        return FACET_E_NOINTERFACE;
    }
    (*this).refs.fetch_add(1, Ordering::Relaxed);
    *out = this as *mut c_void;
    FACET_OK
}

unsafe extern "system" fn blob_addref(this: *mut Blob) -> u32 {
    (*this).refs.fetch_add(1, Ordering::Relaxed) + 1
}

unsafe extern "system" fn blob_release(this: *mut Blob) -> u32 {
    let n = (*this).refs.fetch_sub(1, Ordering::AcqRel) - 1;
    if n == 0 {
        drop(Box::from_raw(this));
        object_destroyed();
    }
    n
}

unsafe extern "system" fn blob_data(this: *mut Blob, out: *mut *const u8) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = (*this).data.as_ptr();
    FACET_OK
}

unsafe extern "system" fn blob_size(this: *mut Blob, out: *mut u64) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = (*this).data.len() as u64;
    FACET_OK
}

static BLOB_VTBL: IFacetBlobVtbl<Blob> = IFacetBlobVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: blob_qi, AddRef: blob_addref, Release: blob_release },
    GetData: blob_data,
    GetSize: blob_size,
};

// ---- The probe: IProbe and IProbeAux on one object ------------------------

#[repr(C)]
struct Probe {
    vtbl: *const IProbeVtbl,
    aux: Aux,
    refs: AtomicU32,
}

/// The second interface, a second vtable pointer inside the object.
#[repr(C)]
struct Aux {
    vtbl: *const IProbeAuxVtbl,
}

unsafe fn from_aux(aux: *mut Aux) -> *mut Probe {
    (aux as *mut u8).sub(offset_of_aux()) as *mut Probe
}

fn offset_of_aux() -> usize {
    let p = MaybeUninit::<Probe>::uninit();
    let base = p.as_ptr();
    unsafe { ptr::addr_of!((*base).aux) as usize - base as usize }
}

unsafe extern "system" fn probe_qi(this: *mut Probe, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = null_mut();
    if iid.is_null() {
        return FACET_E_POINTER;
    }
    if *iid == IID_IFacetUnknown || *iid == IID_IProbe {
        *out = this as *mut c_void;
    } else if *iid == IID_IProbeAux {
        *out = ptr::addr_of_mut!((*this).aux) as *mut c_void;
    } else {
        return FACET_E_NOINTERFACE;
    }
    (*this).refs.fetch_add(1, Ordering::Relaxed);
    FACET_OK
}

unsafe extern "system" fn probe_addref(this: *mut Probe) -> u32 {
    (*this).refs.fetch_add(1, Ordering::Relaxed) + 1
}

unsafe extern "system" fn probe_release(this: *mut Probe) -> u32 {
    let n = (*this).refs.fetch_sub(1, Ordering::AcqRel) - 1;
    if n == 0 {
        drop(Box::from_raw(this));
        object_destroyed();
    }
    n
}

unsafe extern "system" fn probe_integers(
    _: *mut Probe, i32_: i32, u32_: u32, i64_: i64, u64_: u64,
    o_i32: *mut i32, o_u32: *mut u32, o_i64: *mut i64, o_u64: *mut u64,
) -> FacetResult {
    if o_i32.is_null() || o_u32.is_null() || o_i64.is_null() || o_u64.is_null() {
        return FACET_E_POINTER;
    }
    *o_i32 = ((i32_ as u32) ^ XOR32) as i32;
    *o_u32 = !u32_;
    *o_i64 = 0u64.wrapping_sub(i64_ as u64) as i64;
    *o_u64 = u64_ ^ XOR64;
    FACET_OK
}

unsafe extern "system" fn probe_floats(_: *mut Probe, f: f32, d: f64, o_f: *mut f32, o_d: *mut f64) -> FacetResult {
    if o_f.is_null() || o_d.is_null() {
        return FACET_E_POINTER;
    }
    *o_f = f * 2.0;
    *o_d = d * -0.5;
    FACET_OK
}

unsafe extern "system" fn probe_mixed(
    _: *mut Probe, a: i32, b: f64, c: i64, d: f32, e: u32, f: u64, g: f64, h: i32, i: f32, j: i64,
    k: f64, checksum: *mut u64,
) -> FacetResult {
    if checksum.is_null() {
        return FACET_E_POINTER;
    }
    let mut s = FNV_INIT;
    s = mix64(s, a as i64 as u64);
    s = mix64(s, b.to_bits());
    s = mix64(s, c as u64);
    s = mix64(s, d.to_bits() as u64);
    s = mix64(s, e as u64);
    let t = s;
    s = mix64(s, f);
    s = mix64(s, g.to_bits());
    s = mix64(s, h as i64 as u64);
    s = mix64(s, i.to_bits() as u64);
    s = mix64(s, j as u64);
    s = mix64(s, k.to_bits());
    *checksum = ((t as u64) << 32) | s as u64;
    FACET_OK
}

unsafe extern "system" fn probe_pointers(
    _: *mut Probe, p: *const c_void, q: *const c_void, o_p: *mut *const c_void, o_q: *mut *const c_void,
) -> FacetResult {
    if o_p.is_null() || o_q.is_null() {
        return FACET_E_POINTER;
    }
    *o_p = p;
    *o_q = q;
    FACET_OK
}

unsafe extern "system" fn probe_guids(_: *mut Probe, in_: *const FacetGuid, out: *mut FacetGuid, bytes: *mut u8) -> FacetResult {
    if in_.is_null() || out.is_null() || bytes.is_null() {
        return FACET_E_POINTER;
    }
    *out = complement(&*in_);
    ptr::copy_nonoverlapping(in_ as *const u8, bytes, 16);
    FACET_OK
}

fn record_v1_size() -> u32 {
    let r = MaybeUninit::<ProbeRecord>::uninit();
    let base = r.as_ptr();
    unsafe { (ptr::addr_of!((*base).extra) as usize - base as usize) as u32 }
}

unsafe extern "system" fn probe_record(_: *mut Probe, r: *mut ProbeRecord) -> FacetResult {
    if r.is_null() {
        return FACET_E_POINTER;
    }
    let v1 = record_v1_size();
    if (*r).struct_size < v1 {
        return FACET_E_STRUCTSIZE;
    }
    // Field by field: nothing past struct_size is read or written.
    (*r).i32_ = (((*r).i32_ as u32) ^ XOR32) as i32;
    (*r).u64_ ^= XOR64;
    (*r).f64_ *= -0.5;
    (*r).f32_ *= 2.0;
    (*r).guid = complement(&(*r).guid);
    if (*r).struct_size as usize >= size_of::<ProbeRecord>() {
        (*r).extra = 0u64.wrapping_sub((*r).extra as u64) as i64;
        (*r).pointer = r as *mut c_void;
        (*r).struct_size = size_of::<ProbeRecord>() as u32;
    } else {
        (*r).struct_size = v1;
    }
    FACET_OK
}

fn decimal(mut n: u32) -> Vec<u8> {
    let mut rev = Vec::new();
    loop {
        rev.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    rev.reverse();
    rev
}

unsafe extern "system" fn probe_make_text(_: *mut Probe, n: u32, text: *mut *mut c_char) -> FacetResult {
    if text.is_null() {
        return FACET_E_POINTER;
    }
    *text = null_mut();
    let mut t = TEXT_PREFIX.to_vec();
    t.extend_from_slice(&decimal(n));
    t.push(0);
    let mut p: *mut c_void = null_mut();
    let r = host_alloc(t.len() as u64, &mut p);
    if failed(r) {
        return r;
    }
    ptr::copy_nonoverlapping(t.as_ptr(), p as *mut u8, t.len());
    *text = p as *mut c_char;
    FACET_OK
}

unsafe extern "system" fn probe_read_text(_: *mut Probe, text: *const c_char, length: *mut u32, checksum: *mut u32) -> FacetResult {
    if text.is_null() || length.is_null() || checksum.is_null() {
        return FACET_E_POINTER;
    }
    let mut n = 0usize;
    while *text.add(n) != 0 {
        n += 1;
    }
    let bytes = core::slice::from_raw_parts(text as *const u8, n);
    *length = n as u32;
    *checksum = fnv(FNV_INIT, bytes);
    FACET_OK
}

unsafe extern "system" fn probe_make_bytes(_: *mut Probe, n: u32, seed: u32, bytes: *mut *mut u8) -> FacetResult {
    if bytes.is_null() {
        return FACET_E_POINTER;
    }
    *bytes = null_mut();
    let mut p: *mut c_void = null_mut();
    let r = host_alloc(n as u64, &mut p);
    if failed(r) {
        return r;
    }
    for i in 0..n {
        *(p as *mut u8).add(i as usize) = pattern(seed, i);
    }
    *bytes = p as *mut u8;
    FACET_OK
}

unsafe extern "system" fn probe_make_blob(_: *mut Probe, n: u32, seed: u32, blob: *mut *mut Blob) -> FacetResult {
    if blob.is_null() {
        return FACET_E_POINTER;
    }
    let data = (0..n).map(|i| pattern(seed, i)).collect();
    let b = Box::new(Blob { vtbl: &BLOB_VTBL, refs: AtomicU32::new(1), data });
    object_created();
    *blob = Box::into_raw(b);
    FACET_OK
}

unsafe extern "system" fn probe_call_back(_: *mut Probe, cb: *mut IProbeCallback, n: i32, sum: *mut i64) -> FacetResult {
    if cb.is_null() || sum.is_null() {
        return FACET_E_POINTER;
    }
    *sum = 0;
    let vtbl = &*(*cb).vtbl;
    (vtbl.unknown.AddRef)(cb);
    let mut r = FACET_OK;
    let mut i = 1;
    while i <= n && succeeded(r) {
        let mut v = 0i64;
        r = (vtbl.Step)(cb, i, i as f64 * 0.5, step_c(i), &mut v);
        *sum += v;
        i += 1;
    }
    (vtbl.unknown.Release)(cb);
    r
}

/// Offset of a field, as this compiler lays the struct out.
macro_rules! offset {
    ($t:ty, $f:ident) => {{
        let v = MaybeUninit::<$t>::uninit();
        let base = v.as_ptr();
        (unsafe { ptr::addr_of!((*base).$f) } as usize - base as usize) as u64
    }};
}

#[repr(C)]
struct AlignI64 {
    c: u8,
    v: i64,
}

#[repr(C)]
struct AlignF64 {
    c: u8,
    v: f64,
}

/// The figures of probe_layout.h, as Rust lays out the types.
fn layout() -> Vec<u64> {
    let iid: [u8; 16] = unsafe { core::mem::transmute(IID_IProbe) };
    vec![
        size_of::<*const c_void>() as u64,
        size_of::<f32>() as u64,
        size_of::<f64>() as u64,
        offset!(AlignI64, v),
        offset!(AlignF64, v),
        size_of::<FacetGuid>() as u64,
        offset!(FacetGuid, data2),
        offset!(FacetGuid, data3),
        offset!(FacetGuid, data4),
        size_of::<IFacetUnknown>() as u64,
        size_of::<FacetModuleInfo>() as u64,
        offset!(FacetModuleInfo, abi_version),
        offset!(FacetModuleInfo, name),
        offset!(FacetModuleInfo, version),
        offset!(FacetModuleInfo, api_level),
        offset!(FacetModuleInfo, compiler),
        size_of::<FacetClassInfo>() as u64,
        offset!(FacetClassInfo, clsid),
        offset!(FacetClassInfo, contract),
        offset!(FacetClassInfo, version),
        offset!(FacetClassInfo, threading),
        offset!(FacetClassInfo, interface_count),
        offset!(FacetClassInfo, interfaces),
        size_of::<ProbeRecord>() as u64,
        offset!(ProbeRecord, i32_),
        offset!(ProbeRecord, u64_),
        offset!(ProbeRecord, f64_),
        offset!(ProbeRecord, f32_),
        offset!(ProbeRecord, guid),
        offset!(ProbeRecord, extra),
        offset!(ProbeRecord, pointer),
        u64::from_le_bytes([iid[0], iid[1], iid[2], iid[3], iid[4], iid[5], iid[6], iid[7]]),
        u64::from_le_bytes([iid[8], iid[9], iid[10], iid[11], iid[12], iid[13], iid[14], iid[15]]),
    ]
}

unsafe extern "system" fn probe_get_layout(_: *mut Probe, capacity: u32, figures: *mut u64, count: *mut u32) -> FacetResult {
    if figures.is_null() || count.is_null() {
        return FACET_E_POINTER;
    }
    let mine = layout();
    for (i, v) in mine.iter().enumerate().take(capacity as usize) {
        *figures.add(i) = *v;
    }
    *count = mine.len() as u32;
    if mine.len() as u32 <= capacity {
        FACET_OK
    } else {
        FACET_E_INVALIDARG
    }
}

static PROBE_VTBL: IProbeVtbl = IProbeVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: probe_qi, AddRef: probe_addref, Release: probe_release },
    Integers: probe_integers,
    Floats: probe_floats,
    Mixed: probe_mixed,
    Pointers: probe_pointers,
    Guids: probe_guids,
    Record: probe_record,
    MakeText: probe_make_text,
    ReadText: probe_read_text,
    MakeBytes: probe_make_bytes,
    MakeBlob: probe_make_blob,
    CallBack: probe_call_back,
    GetLayout: probe_get_layout,
};

unsafe extern "system" fn aux_qi(this: *mut Aux, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    probe_qi(from_aux(this), iid, out)
}

unsafe extern "system" fn aux_addref(this: *mut Aux) -> u32 {
    probe_addref(from_aux(this))
}

unsafe extern "system" fn aux_release(this: *mut Aux) -> u32 {
    probe_release(from_aux(this))
}

unsafe extern "system" fn aux_twice(_: *mut Aux, x: u32, y: *mut u32) -> FacetResult {
    if y.is_null() {
        return FACET_E_POINTER;
    }
    *y = x.wrapping_mul(2);
    FACET_OK
}

unsafe extern "system" fn aux_get_probe(this: *mut Aux, probe: *mut *mut Probe) -> FacetResult {
    probe_qi(from_aux(this), &IID_IProbe, probe as *mut *mut c_void)
}

static AUX_VTBL: IProbeAuxVtbl = IProbeAuxVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: aux_qi, AddRef: aux_addref, Release: aux_release },
    Twice: aux_twice,
    GetProbe: aux_get_probe,
};

// ---- The module ----------------------------------------------------------

static INTERFACES: [FacetGuid; 2] = [IID_IProbe, IID_IProbeAux];

static MODULE: Module = Module {
    info: FacetModuleInfo {
        struct_size: size_of::<FacetModuleInfo>() as u32,
        abi_version: FACET_ABI_VERSION,
        name: b"org.facet.probe\0".as_ptr() as *const c_char,
        version: b"1.0.0\0".as_ptr() as *const c_char,
        api_level: FACET_API_LEVEL,
        compiler: concat!(env!("FACET_RUSTC_VERSION"), "\0").as_ptr() as *const c_char,
    },
    classes: &[Class {
        info: FacetClassInfo {
            struct_size: size_of::<FacetClassInfo>() as u32,
            clsid: CLSID_ProbeClass,
            contract: b"org.facet.probe\0".as_ptr() as *const c_char,
            version: b"1.0.0\0".as_ptr() as *const c_char,
            threading: FACET_THREADING_ANY,
            interface_count: 2,
            interfaces: &INTERFACES as *const FacetGuid,
        },
        create: make_probe,
    }],
};

unsafe fn make_probe(iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    let p = Box::into_raw(Box::new(Probe {
        vtbl: &PROBE_VTBL,
        aux: Aux { vtbl: &AUX_VTBL },
        refs: AtomicU32::new(1),
    }));
    object_created();
    let r = probe_qi(p, iid, out);
    probe_release(p);
    r
}

/// # Safety
/// Called by a Facet host, with the arguments `abi.h` describes.
#[no_mangle]
pub unsafe extern "C" fn facet_module_entry(
    host_abi_version: u32, host: *mut IFacetUnknown, iid: *const FacetGuid, factory: *mut *mut c_void,
) -> FacetResult {
    module::entry(&MODULE, host_abi_version, host, iid, factory)
}
