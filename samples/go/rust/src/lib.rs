//! The greeter in Rust: greeter.idl's IGreeter and IGreeterStats on one
//! object, its greetings made by the host (IFacetHost::CreateString) so
//! that the host may keep them after this module is gone.

// The names of greeter.idl and abi.h, as C spells them.
#![allow(non_upper_case_globals, non_snake_case)]

use core::ffi::{c_char, c_void, CStr};
use core::mem::{size_of, MaybeUninit};
use core::ptr::{self, null_mut};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use facet_abi::module::{self, object_created, object_destroyed, Class, Module};
use facet_abi::*;

// ---- greeter.idl --------------------------------------------------------

const IID_IGreeter: FacetGuid =
    FacetGuid::new(0xC84E_923A, 0xCF4C, 0x498B, [0xB8, 0x8B, 0xA8, 0x21, 0x97, 0xAC, 0xBB, 0x01]);
const IID_IGreeterStats: FacetGuid =
    FacetGuid::new(0x756A_B521, 0xE6C0, 0x4408, [0x91, 0x32, 0xDE, 0x99, 0x8F, 0xBE, 0xEC, 0xE7]);
/// This class's own id: the C greeter has another.
const CLSID_RustGreeter: FacetGuid =
    FacetGuid::new(0x5E2A_7C41, 0x93B0, 0x4D8E, [0xA1, 0x6F, 0x27, 0xC4, 0x0B, 0x9D, 0x3E, 0x51]);

#[repr(C)]
struct IGreeterVtbl {
    unknown: IFacetUnknownVtbl<Greeter>,
    Greet: unsafe extern "system" fn(*mut Greeter, *const c_char, *mut *mut IFacetString) -> FacetResult,
}

#[repr(C)]
struct IGreeterStatsVtbl {
    unknown: IFacetUnknownVtbl<Stats>,
    GetGreetCount: unsafe extern "system" fn(*mut Stats, *mut u64) -> FacetResult,
}

// ---- The object -----------------------------------------------------------

/// IGreeter first, IGreeterStats a second vtable pointer inside it.
#[repr(C)]
struct Greeter {
    vtbl: *const IGreeterVtbl,
    stats: Stats,
    refs: AtomicU32,
    greetings: AtomicU64,
}

#[repr(C)]
struct Stats {
    vtbl: *const IGreeterStatsVtbl,
}

unsafe fn from_stats(stats: *mut Stats) -> *mut Greeter {
    let p = MaybeUninit::<Greeter>::uninit();
    let base = p.as_ptr();
    let offset = ptr::addr_of!((*base).stats) as usize - base as usize;
    (stats as *mut u8).sub(offset) as *mut Greeter
}

unsafe extern "system" fn greeter_qi(this: *mut Greeter, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = null_mut();
    if iid.is_null() {
        return FACET_E_POINTER;
    }
    if *iid == IID_IFacetUnknown || *iid == IID_IGreeter {
        *out = this as *mut c_void;
    } else if *iid == IID_IGreeterStats {
        *out = ptr::addr_of_mut!((*this).stats) as *mut c_void;
    } else {
        return FACET_E_NOINTERFACE;
    }
    (*this).refs.fetch_add(1, Ordering::Relaxed);
    FACET_OK
}

unsafe extern "system" fn greeter_addref(this: *mut Greeter) -> u32 {
    (*this).refs.fetch_add(1, Ordering::Relaxed) + 1
}

unsafe extern "system" fn greeter_release(this: *mut Greeter) -> u32 {
    let n = (*this).refs.fetch_sub(1, Ordering::AcqRel) - 1;
    if n == 0 {
        drop(Box::from_raw(this));
        object_destroyed();
    }
    n
}

unsafe extern "system" fn greeter_greet(
    this: *mut Greeter, name: *const c_char, greeting: *mut *mut IFacetString,
) -> FacetResult {
    if greeting.is_null() {
        return FACET_E_POINTER;
    }
    *greeting = null_mut();
    if name.is_null() {
        return FACET_E_POINTER;
    }
    let host = module::host();
    if host.is_null() {
        return FACET_E_UNEXPECTED;
    }
    let mut text = b"Rust says hello, ".to_vec();
    text.extend_from_slice(CStr::from_ptr(name).to_bytes());
    text.push(b'!');
    (*this).greetings.fetch_add(1, Ordering::Relaxed);
    ((*(*host).vtbl).CreateString)(host, text.as_ptr() as *const c_char, text.len() as u64, greeting)
}

static GREETER_VTBL: IGreeterVtbl = IGreeterVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: greeter_qi, AddRef: greeter_addref, Release: greeter_release },
    Greet: greeter_greet,
};

unsafe extern "system" fn stats_qi(this: *mut Stats, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    greeter_qi(from_stats(this), iid, out)
}

unsafe extern "system" fn stats_addref(this: *mut Stats) -> u32 {
    greeter_addref(from_stats(this))
}

unsafe extern "system" fn stats_release(this: *mut Stats) -> u32 {
    greeter_release(from_stats(this))
}

unsafe extern "system" fn stats_count(this: *mut Stats, count: *mut u64) -> FacetResult {
    if count.is_null() {
        return FACET_E_POINTER;
    }
    *count = (*from_stats(this)).greetings.load(Ordering::Relaxed);
    FACET_OK
}

static STATS_VTBL: IGreeterStatsVtbl = IGreeterStatsVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: stats_qi, AddRef: stats_addref, Release: stats_release },
    GetGreetCount: stats_count,
};

// ---- The module -----------------------------------------------------------

static INTERFACES: [FacetGuid; 2] = [IID_IGreeter, IID_IGreeterStats];

static MODULE: Module = Module {
    info: FacetModuleInfo {
        struct_size: size_of::<FacetModuleInfo>() as u32,
        abi_version: FACET_ABI_VERSION,
        name: b"org.example.greeter.rust\0".as_ptr() as *const c_char,
        version: b"1.0.0\0".as_ptr() as *const c_char,
        api_level: FACET_API_LEVEL,
        compiler: b"rustc\0".as_ptr() as *const c_char,
    },
    classes: &[Class {
        info: FacetClassInfo {
            struct_size: size_of::<FacetClassInfo>() as u32,
            clsid: CLSID_RustGreeter,
            contract: b"org.example.greeter.rust\0".as_ptr() as *const c_char,
            version: b"1.0.0\0".as_ptr() as *const c_char,
            threading: FACET_THREADING_ANY,
            interface_count: 2,
            interfaces: &INTERFACES as *const FacetGuid,
        },
        create: make_greeter,
    }],
};

unsafe fn make_greeter(iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    let g = Box::into_raw(Box::new(Greeter {
        vtbl: &GREETER_VTBL,
        stats: Stats { vtbl: &STATS_VTBL },
        refs: AtomicU32::new(1),
        greetings: AtomicU64::new(0),
    }));
    object_created();
    let r = greeter_qi(g, iid, out);
    greeter_release(g);
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
