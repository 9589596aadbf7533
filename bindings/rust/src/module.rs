//! A module's factory and its one export, for a component whose classes are
//! known when it is built: the component describes itself in a `Module`
//! and exports `facet_module_entry` by handing it to [`entry`]:
//!
//! ```ignore
//! static MODULE: Module = Module { info: ..., classes: &[Class { info: ..., create: make }] };
//!
//! #[no_mangle]
//! pub unsafe extern "C" fn facet_module_entry(
//!     version: u32, host: *mut IFacetUnknown, iid: *const FacetGuid, factory: *mut *mut c_void,
//! ) -> FacetResult {
//!     module::entry(&MODULE, version, host, iid, factory)
//! }
//! ```
//!
//! A class's `create` makes an object, counts it with [`object_created`]
//! (its last `Release` calls [`object_destroyed`]) and answers `iid`;
//! `CanUnload` is `FACET_OK` when no object is left. The host object and
//! its allocator are kept while the host holds the factory.

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use crate::*;

/// A class of the module: what `DescribeClass` says of it, and how to make
/// one (aggregation is refused before `create` is called).
pub struct Class {
    pub info: FacetClassInfo,
    pub create: unsafe fn(iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult,
}

/// The module: what `GetModuleInfo` says of it, and its classes.
pub struct Module {
    pub info: FacetModuleInfo,
    pub classes: &'static [Class],
}

// Static descriptions whose pointers are to static data.
unsafe impl Sync for Class {}
unsafe impl Sync for Module {}

static MODULE: AtomicPtr<Module> = AtomicPtr::new(null_mut());
static OBJECTS: AtomicU32 = AtomicU32::new(0);
static FACTORY_REFS: AtomicU32 = AtomicU32::new(0);
static HOST: AtomicPtr<IFacetHost> = AtomicPtr::new(null_mut());
static ALLOCATOR: AtomicPtr<IFacetAllocator> = AtomicPtr::new(null_mut());

/// Counts an object of the module, made by a class's `create`.
pub fn object_created() {
    OBJECTS.fetch_add(1, Ordering::AcqRel);
}

/// Counts an object of the module gone, at its last `Release`.
pub fn object_destroyed() {
    OBJECTS.fetch_sub(1, Ordering::AcqRel);
}

/// The host object the module was loaded with (borrowed), or null.
pub fn host() -> *mut IFacetHost {
    HOST.load(Ordering::Acquire)
}

/// n bytes from the host's allocator: memory the host frees.
///
/// # Safety
/// `out` is writable.
pub unsafe fn host_alloc(n: u64, out: *mut *mut c_void) -> FacetResult {
    let a = ALLOCATOR.load(Ordering::Acquire);
    if a.is_null() {
        return FACET_E_UNEXPECTED;
    }
    ((*(*a).vtbl).Alloc)(a, n, out)
}

fn drop_host() {
    let a = ALLOCATOR.swap(null_mut(), Ordering::AcqRel);
    let h = HOST.swap(null_mut(), Ordering::AcqRel);
    unsafe {
        if !a.is_null() {
            release(a as *mut c_void);
        }
        if !h.is_null() {
            release(h as *mut c_void);
        }
    }
}

fn module() -> &'static Module {
    // Set by entry before any factory pointer is handed out.
    unsafe { &*MODULE.load(Ordering::Acquire) }
}

#[repr(C)]
struct Factory {
    vtbl: *const IFacetFactoryVtbl<Factory>,
}

// A static object whose fields never change.
unsafe impl Sync for Factory {}

unsafe extern "system" fn factory_qi(this: *mut Factory, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = null_mut();
    if iid.is_null() {
        return FACET_E_POINTER;
    }
    if *iid != IID_IFacetUnknown && *iid != IID_IFacetFactory {
        return FACET_E_NOINTERFACE;
    }
    FACTORY_REFS.fetch_add(1, Ordering::AcqRel);
    *out = this as *mut c_void;
    FACET_OK
}

unsafe extern "system" fn factory_addref(_: *mut Factory) -> u32 {
    FACTORY_REFS.fetch_add(1, Ordering::AcqRel) + 1
}

unsafe extern "system" fn factory_release(_: *mut Factory) -> u32 {
    let n = FACTORY_REFS.fetch_sub(1, Ordering::AcqRel) - 1;
    if n == 0 {
        drop_host(); // the host lets go of the factory just before it unloads the module
    }
    n
}

unsafe extern "system" fn factory_info(_: *mut Factory, out: *mut FacetModuleInfo) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    write_sized(out as *mut c_void, &module().info as *const _ as *const c_void, size_of::<FacetModuleInfo>() as u32);
    FACET_OK
}

unsafe extern "system" fn factory_count(_: *mut Factory, out: *mut u32) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = module().classes.len() as u32;
    FACET_OK
}

unsafe extern "system" fn factory_describe(_: *mut Factory, index: u32, out: *mut FacetClassInfo) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    match module().classes.get(index as usize) {
        Some(c) => {
            write_sized(out as *mut c_void, &c.info as *const _ as *const c_void, size_of::<FacetClassInfo>() as u32);
            FACET_OK
        }
        None => FACET_E_INVALIDARG,
    }
}

unsafe extern "system" fn factory_create(
    _: *mut Factory, clsid: *const FacetGuid, outer: *mut IFacetUnknown, iid: *const FacetGuid,
    out: *mut *mut c_void,
) -> FacetResult {
    if out.is_null() {
        return FACET_E_POINTER;
    }
    *out = null_mut();
    if clsid.is_null() || iid.is_null() {
        return FACET_E_POINTER;
    }
    let class = match module().classes.iter().find(|c| c.info.clsid == *clsid) {
        Some(c) => c,
        None => return FACET_E_CLASSNOTREG,
    };
    if !outer.is_null() {
        return FACET_E_NOAGGREGATION;
    }
    (class.create)(iid, out)
}

unsafe extern "system" fn factory_can_unload(_: *mut Factory) -> FacetResult {
    if OBJECTS.load(Ordering::Acquire) == 0 {
        FACET_OK
    } else {
        FACET_FALSE
    }
}

static FACTORY_VTBL: IFacetFactoryVtbl<Factory> = IFacetFactoryVtbl {
    unknown: IFacetUnknownVtbl { QueryInterface: factory_qi, AddRef: factory_addref, Release: factory_release },
    GetModuleInfo: factory_info,
    GetClassCount: factory_count,
    DescribeClass: factory_describe,
    CreateInstance: factory_create,
    CanUnload: factory_can_unload,
};

static FACTORY: Factory = Factory { vtbl: &FACTORY_VTBL };

/// `facet_module_entry` of the module described by `module`: checks the
/// host's ABI version, keeps the host object and its allocator, and hands
/// out the factory.
///
/// # Safety
/// Called with the arguments `abi.h` gives `facet_module_entry`.
pub unsafe fn entry(
    module: &'static Module, host_abi_version: u32, host: *mut IFacetUnknown, iid: *const FacetGuid,
    factory: *mut *mut c_void,
) -> FacetResult {
    if factory.is_null() || iid.is_null() {
        return FACET_E_POINTER;
    }
    *factory = null_mut();
    if host_abi_version != FACET_ABI_VERSION {
        return FACET_E_ABIMISMATCH;
    }
    MODULE.store(module as *const Module as *mut Module, Ordering::Release);
    if !host.is_null() {
        drop_host();
        let mut h: *mut c_void = null_mut();
        let r = query_interface(host as *mut c_void, &IID_IFacetHost, &mut h);
        if failed(r) {
            return r;
        }
        let mut a: *mut c_void = null_mut();
        if failed(query_interface(h, &IID_IFacetAllocator, &mut a)) {
            a = null_mut();
        }
        HOST.store(h as *mut IFacetHost, Ordering::Release);
        ALLOCATOR.store(a as *mut IFacetAllocator, Ordering::Release);
    }
    let r = factory_qi(&FACTORY as *const Factory as *mut Factory, iid, factory);
    if failed(r) && FACTORY_REFS.load(Ordering::Acquire) == 0 {
        drop_host();
    }
    r
}
