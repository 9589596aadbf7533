//! The Rust side of `<facet/abi.h>`: the types, result codes and vtables of
//! Facet's binary contract, declared `#[repr(C)]` so that a component or a
//! host written in Rust lays them out as C does.
//!
//! A Rust component is a `cdylib` that exports one function,
//! `facet_module_entry` (`#[no_mangle] pub extern "C"`), and whose objects
//! are `#[repr(C)]` structs that start with a pointer to a vtable of
//! `extern "system"` functions: `FACET_CALL` is `__stdcall` on 32-bit x86
//! Windows and the C convention everywhere else, as `"system"` is. Nothing
//! here allocates or needs more than `core`; the rules of `abi.h` (who
//! frees what, `struct_size`, out-pointers left NULL on failure) are the
//! component's to keep, as in C.

#![no_std]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use core::ffi::{c_char, c_void};

pub mod module;

/// `FacetGuid`: the layout of the Windows `GUID`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FacetGuid {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

impl FacetGuid {
    pub const fn new(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Self {
        FacetGuid { data1, data2, data3, data4 }
    }
}

/// `FacetResult`: HRESULT-compatible, failure below zero.
pub type FacetResult = i32;

pub const FACET_ABI_VERSION: u32 = 1;
pub const FACET_API_LEVEL: u32 = 1;

pub const FACET_OK: FacetResult = 0;
pub const FACET_FALSE: FacetResult = 1;
pub const FACET_E_NOTIMPL: FacetResult = 0x8000_4001u32 as i32;
pub const FACET_E_NOINTERFACE: FacetResult = 0x8000_4002u32 as i32;
pub const FACET_E_POINTER: FacetResult = 0x8000_4003u32 as i32;
pub const FACET_E_FAIL: FacetResult = 0x8000_4005u32 as i32;
pub const FACET_E_UNEXPECTED: FacetResult = 0x8000_FFFFu32 as i32;
pub const FACET_E_OUTOFMEMORY: FacetResult = 0x8007_000Eu32 as i32;
pub const FACET_E_INVALIDARG: FacetResult = 0x8007_0057u32 as i32;
pub const FACET_E_NOAGGREGATION: FacetResult = 0x8004_0110u32 as i32;
pub const FACET_E_CLASSNOTREG: FacetResult = 0x8004_0154u32 as i32;
pub const FACET_E_ABIMISMATCH: FacetResult = 0x8004_0207u32 as i32;
pub const FACET_E_STRUCTSIZE: FacetResult = 0x8004_0209u32 as i32;

pub const FACET_THREADING_ANY: u32 = 0;
pub const FACET_THREADING_SINGLE: u32 = 1;
pub const FACET_THREADING_MAIN: u32 = 2;

pub const FACET_LOG_INFO: u32 = 2;

pub const IID_IFacetUnknown: FacetGuid =
    FacetGuid::new(0x0000_0000, 0x0000, 0x0000, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
pub const IID_IFacetFactory: FacetGuid =
    FacetGuid::new(0xD509_D413, 0x0891, 0x44A6, [0x93, 0xFE, 0x5E, 0xF4, 0x28, 0xA2, 0x8B, 0x01]);
pub const IID_IFacetHost: FacetGuid =
    FacetGuid::new(0x3EEE_5A01, 0x7C3E, 0x4A59, [0x82, 0xCC, 0x33, 0xCB, 0x6F, 0xF1, 0x87, 0xDC]);
pub const IID_IFacetAllocator: FacetGuid =
    FacetGuid::new(0x56E7_7775, 0xF13B, 0x4264, [0x8E, 0x3D, 0x06, 0x42, 0xFF, 0x4B, 0x94, 0xD1]);
pub const IID_IFacetLogger: FacetGuid =
    FacetGuid::new(0x8528_1BB5, 0x2F2B, 0x4281, [0xA5, 0xF2, 0x3E, 0xFC, 0x77, 0xF1, 0xF2, 0xF0]);
pub const IID_IFacetBlob: FacetGuid =
    FacetGuid::new(0x912B_FB49, 0x2C9E, 0x42F2, [0x90, 0xCC, 0x51, 0x0B, 0xFE, 0x40, 0x4F, 0x0E]);
pub const IID_IFacetString: FacetGuid =
    FacetGuid::new(0xAC9E_751A, 0xF2FF, 0x4D4C, [0xA5, 0xFA, 0xCF, 0x06, 0xB7, 0xD8, 0x07, 0x22]);

/// The three methods every vtable starts with, for an object of type `T`.
#[repr(C)]
pub struct IFacetUnknownVtbl<T> {
    pub QueryInterface:
        unsafe extern "system" fn(this: *mut T, iid: *const FacetGuid, out: *mut *mut c_void) -> FacetResult,
    pub AddRef: unsafe extern "system" fn(this: *mut T) -> u32,
    pub Release: unsafe extern "system" fn(this: *mut T) -> u32,
}

/// Any object: a pointer to its vtable, whose first three slots are
/// IFacetUnknown's.
#[repr(C)]
pub struct IFacetUnknown {
    pub vtbl: *const IFacetUnknownVtbl<IFacetUnknown>,
}

/// `FacetModuleInfo` (grows: `struct_size` first).
#[repr(C)]
pub struct FacetModuleInfo {
    pub struct_size: u32,
    pub abi_version: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub api_level: u32,
    pub compiler: *const c_char,
}

/// `FacetClassInfo` (grows: `struct_size` first).
#[repr(C)]
pub struct FacetClassInfo {
    pub struct_size: u32,
    pub clsid: FacetGuid,
    pub contract: *const c_char,
    pub version: *const c_char,
    pub threading: u32,
    pub interface_count: u32,
    pub interfaces: *const FacetGuid,
}

/// `IFacetFactory`'s vtable.
#[repr(C)]
pub struct IFacetFactoryVtbl<T> {
    pub unknown: IFacetUnknownVtbl<T>,
    pub GetModuleInfo: unsafe extern "system" fn(this: *mut T, out: *mut FacetModuleInfo) -> FacetResult,
    pub GetClassCount: unsafe extern "system" fn(this: *mut T, out: *mut u32) -> FacetResult,
    pub DescribeClass:
        unsafe extern "system" fn(this: *mut T, index: u32, out: *mut FacetClassInfo) -> FacetResult,
    pub CreateInstance: unsafe extern "system" fn(
        this: *mut T,
        clsid: *const FacetGuid,
        outer: *mut IFacetUnknown,
        iid: *const FacetGuid,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub CanUnload: unsafe extern "system" fn(this: *mut T) -> FacetResult,
}

/// `IFacetAllocator`: memory one side hands to the other.
#[repr(C)]
pub struct IFacetAllocator {
    pub vtbl: *const IFacetAllocatorVtbl,
}

#[repr(C)]
pub struct IFacetAllocatorVtbl {
    pub unknown: IFacetUnknownVtbl<IFacetAllocator>,
    pub Alloc: unsafe extern "system" fn(this: *mut IFacetAllocator, size: u64, out: *mut *mut c_void) -> FacetResult,
    pub Realloc: unsafe extern "system" fn(
        this: *mut IFacetAllocator,
        p: *mut c_void,
        size: u64,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub Free: unsafe extern "system" fn(this: *mut IFacetAllocator, p: *mut c_void) -> FacetResult,
}

/// `IFacetBlob`: reference-counted bytes.
#[repr(C)]
pub struct IFacetBlobVtbl<T> {
    pub unknown: IFacetUnknownVtbl<T>,
    pub GetData: unsafe extern "system" fn(this: *mut T, out: *mut *const u8) -> FacetResult,
    pub GetSize: unsafe extern "system" fn(this: *mut T, out: *mut u64) -> FacetResult,
}

/// `IFacetString`: reference-counted UTF-8 text.
#[repr(C)]
pub struct IFacetString {
    pub vtbl: *const IFacetStringVtbl,
}

#[repr(C)]
pub struct IFacetStringVtbl {
    pub unknown: IFacetUnknownVtbl<IFacetString>,
    pub GetText: unsafe extern "system" fn(this: *mut IFacetString, out: *mut *const c_char) -> FacetResult,
    pub GetLength: unsafe extern "system" fn(this: *mut IFacetString, out: *mut u64) -> FacetResult,
}

/// `IFacetLogger`: log lines to the host.
#[repr(C)]
pub struct IFacetLogger {
    pub vtbl: *const IFacetLoggerVtbl,
}

#[repr(C)]
pub struct IFacetLoggerVtbl {
    pub unknown: IFacetUnknownVtbl<IFacetLogger>,
    pub Log: unsafe extern "system" fn(this: *mut IFacetLogger, level: u32, message: *const c_char) -> FacetResult,
    pub IsEnabled: unsafe extern "system" fn(this: *mut IFacetLogger, level: u32) -> FacetResult,
}

/// `IFacetHost`: the host object handed to `facet_module_entry`.
#[repr(C)]
pub struct IFacetHost {
    pub vtbl: *const IFacetHostVtbl,
}

#[repr(C)]
pub struct IFacetHostVtbl {
    pub unknown: IFacetUnknownVtbl<IFacetHost>,
    pub GetApiLevel: unsafe extern "system" fn(this: *mut IFacetHost, out: *mut u32) -> FacetResult,
    pub QueryService: unsafe extern "system" fn(
        this: *mut IFacetHost,
        sid: *const FacetGuid,
        iid: *const FacetGuid,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub CreateInstance: unsafe extern "system" fn(
        this: *mut IFacetHost,
        clsid: *const FacetGuid,
        outer: *mut IFacetUnknown,
        iid: *const FacetGuid,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub CreateInstanceByName: unsafe extern "system" fn(
        this: *mut IFacetHost,
        name: *const c_char,
        outer: *mut IFacetUnknown,
        iid: *const FacetGuid,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub CreateBlob: unsafe extern "system" fn(
        this: *mut IFacetHost,
        data: *const c_void,
        size: u64,
        out: *mut *mut c_void,
    ) -> FacetResult,
    pub CreateString: unsafe extern "system" fn(
        this: *mut IFacetHost,
        text: *const c_char,
        length: u64,
        out: *mut *mut IFacetString,
    ) -> FacetResult,
}

/// `FACET_SUCCEEDED`.
pub const fn succeeded(r: FacetResult) -> bool {
    r >= 0
}

/// `FACET_FAILED`.
pub const fn failed(r: FacetResult) -> bool {
    r < 0
}

/// Asks any object for an interface, through its IFacetUnknown.
///
/// # Safety
/// `object` points at a live object.
pub unsafe fn query_interface(object: *mut c_void, iid: &FacetGuid, out: *mut *mut c_void) -> FacetResult {
    let u = object as *mut IFacetUnknown;
    ((*(*u).vtbl).QueryInterface)(u, iid, out)
}

/// AddRef on any object.
///
/// # Safety
/// `object` points at a live object.
pub unsafe fn add_ref(object: *mut c_void) -> u32 {
    let u = object as *mut IFacetUnknown;
    ((*(*u).vtbl).AddRef)(u)
}

/// Release on any object.
///
/// # Safety
/// `object` points at a live object whose reference the caller holds.
pub unsafe fn release(object: *mut c_void) -> u32 {
    let u = object as *mut IFacetUnknown;
    ((*(*u).vtbl).Release)(u)
}

/// Copies `size` bytes of `from` into `out` (a struct that starts with
/// `struct_size`, which its caller set) no further than `out`'s
/// `struct_size`, and sets `struct_size` to how far that was: rule 5 of
/// `abi.h`, for `GetModuleInfo` and `DescribeClass`.
///
/// # Safety
/// `out` points at a struct of at least its own `struct_size` bytes, and
/// `from` at `size` readable bytes.
pub unsafe fn write_sized(out: *mut c_void, from: *const c_void, size: u32) {
    let have = *(out as *const u32);
    let n = if have < size { have } else { size };
    let dst = out as *mut u8;
    let src = from as *const u8;
    let mut i = core::mem::size_of::<u32>() as u32;
    while i < n {
        *dst.add(i as usize) = *src.add(i as usize);
        i += 1;
    }
    *(out as *mut u32) = n;
}
