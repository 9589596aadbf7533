/*
 * abi.c - the rules a declaration keeps to cross the ABI between
 * compilers, and the vtable order.
 *
 * A Facet interface is called across compilers (MSVC, GCC, Clang) and
 * across languages, so each rule here stops something that one of them
 * lays out or passes differently, or that <windows.h> would rename. Files
 * of a Windows SDK keep their own conventions, and get warnings or no
 * check where Facet's own files get errors.
 */
#include <string.h>

#include "sema.h"

/* Names that are types in C but have no fixed size or meaning across
 * compilers, and what to use instead. */
static const struct {
    const char *name;
    const char *why;
} unfixed[] = {
    {"size_t", "'size_t' has no fixed size (32 bits on 32-bit targets, 64 on 64-bit ones): "
               "use uint64_t, or uint32_t"},
    {"ssize_t", "'ssize_t' has no fixed size: use int64_t"},
    {"ptrdiff_t", "'ptrdiff_t' has no fixed size: use int64_t"},
    {"bool", "'bool' has no fixed size (C++ bool is 1 byte on most compilers, 4 on some): "
             "use boolean (8 bits) or uint32_t with 0 and 1"},
    {"_Bool", "'_Bool' has no fixed size across compilers: use boolean (8 bits) or uint32_t"},
    {"BOOL_t", "'BOOL_t' has no fixed size: use uint32_t"},
    {"wint_t", "'wint_t' has no fixed size: use uint32_t"},
    {"off_t", "'off_t' has no fixed size: use int64_t"},
    {"time_t", "'time_t' has no fixed size (32 or 64 bits): use int64_t"},
    {"intmax_t", "'intmax_t' has no fixed size: use int64_t"},
    {"uintmax_t", "'uintmax_t' has no fixed size: use uint64_t"},
};

const char *facet_idl__abi_unfixed(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof unfixed / sizeof unfixed[0]; i++)
        if (strcmp(unfixed[i].name, name) == 0)
            return unfixed[i].why;
    return NULL;
}

void facet_idl__abi_check_callconv(idl_sema *s, const idl_type *t)
{
    if (t->kind == TY_FUNC && t->callconv && !facet_idl__callconv_c(t->callconv))
        facet_idl__error(s->c, t->loc, "calling convention '%s' has no Facet equivalent: expected "
                         "__stdcall (STDMETHODCALLTYPE, WINAPI, CALLBACK: FACET_CALL in C) or "
                         "__cdecl", t->callconv);
}

/* Method names that <windows.h> defines as A/W macros. A Facet interface
 * may not use them: a C file that includes <windows.h> would see
 * GetObjectA where the header said GetObject. */
static const char *const aw_names[] = {
    "AddFontResource", "AppendMenu", "CallWindowProc", "CharLower", "CharNext", "CharPrev",
    "CharUpper", "CopyFile", "CreateDC", "CreateDirectory", "CreateEvent", "CreateFile",
    "CreateFont", "CreateMutex", "CreateProcess", "CreateSemaphore", "CreateWindow",
    "CreateWindowEx", "DefWindowProc", "DeleteFile", "DialogBox", "DispatchMessage",
    "DrawText", "EnumFonts", "ExpandEnvironmentStrings", "FindFirstFile", "FindNextFile",
    "FindResource", "FindWindow", "FormatMessage", "GetClassInfo", "GetClassLong",
    "GetClassName", "GetCommandLine", "GetCurrentDirectory", "GetEnvironmentVariable",
    "GetFileAttributes", "GetFullPathName", "GetMessage", "GetModuleFileName",
    "GetModuleHandle", "GetObject", "GetProfileString", "GetProp", "GetStartupInfo",
    "GetTempFileName", "GetTempPath", "GetTextMetrics", "GetUserName", "GetVersionEx",
    "GetWindowLong", "GetWindowText", "GetWindowTextLength", "LoadBitmap", "LoadCursor",
    "LoadIcon", "LoadImage", "LoadLibrary", "LoadMenu", "LoadString", "MessageBox",
    "MoveFile", "OpenEvent", "OpenFile", "OutputDebugString", "PeekMessage", "PostMessage",
    "RegisterClass", "RegisterClassEx", "RegisterWindowMessage", "RemoveDirectory",
    "RemoveProp", "ReportEvent", "SendMessage", "SetCurrentDirectory",
    "SetEnvironmentVariable", "SetFileAttributes", "SetProp", "SetWindowLong",
    "SetWindowText", "StartDoc", "TextOut", "UpdateResource", "wsprintf", "GetCharWidth",
    "EnumProps", "GetDriveType", "GetLogicalDriveStrings", "GetVolumeInformation",
    "LookupAccountName", "OpenService", "StartService", "CreateService", "GetObjectType",
    "GetTimeFormat", "GetDateFormat", "CompareString", "GetLocaleInfo", "SetLocaleInfo",
    "FindText", "ReplaceText", "PrintDlg", "ChooseColor", "ChooseFont", "CreateMetaFile",
    "CopyMetaFile", "GetMetaFile", "CreateEnhMetaFile", "GetEnhMetaFile", "ResetDC",
    "CreateIC", "GetKeyNameText", "MapVirtualKey", "VkKeyScan", "IsCharAlpha",
    "IsCharAlphaNumeric", "IsCharUpper", "IsCharLower", "CreateFileMapping",
    "OpenFileMapping", "GetDiskFreeSpace", "GetDiskFreeSpaceEx", "GetSystemDirectory",
    "GetWindowsDirectory", "SearchPath", "GetShortPathName", "GetLongPathName",
    "CreateHardLink", "CreateSymbolicLink", "GetBinaryType", "SetVolumeLabel",
    "GetComputerName", "SetComputerName", "GetPrivateProfileString", "WritePrivateProfileString",
    "GetProfileInt", "GetPrivateProfileInt", "CreateDesktop", "OpenDesktop",
    "CreateWindowStation", "GetUserObjectInformation", "SetUserObjectInformation",
    "RegisterClipboardFormat", "GetClipboardFormatName", "SetDlgItemText", "GetDlgItemText",
    "SendDlgItemMessage", "InsertMenu", "ModifyMenu", "GetMenuString", "SystemParametersInfo",
    "EnumDisplaySettings", "ChangeDisplaySettings", "EnumDisplayDevices", "GetMonitorInfo",
    "LoadAccelerators", "CreateAcceleratorTable", "CopyAcceleratorTable", "TranslateAccelerator",
    "DrawState", "GrayString", "TabbedTextOut", "GetTabbedTextExtent", "PostThreadMessage",
    "SendMessageTimeout", "SendNotifyMessage", "SendMessageCallback", "BroadcastSystemMessage",
    "RegisterDeviceNotification", "CreateMDIWindow", "DefFrameProc", "DefMDIChildProc",
    "GetClassLongPtr", "SetClassLong", "SetClassLongPtr", "GetWindowLongPtr", "SetWindowLongPtr",
    "SetWindowsHookEx", "EnumDesktops", "EnumWindowStations", "ExitWindows", "GetFileVersionInfo",
    "VerQueryValue", "GetAtomName", "AddAtom", "FindAtom", "DeleteAtom", "GlobalAddAtom",
    "GlobalFindAtom", "GlobalGetAtomName", "GetFileTitle", "GetOpenFileName", "GetSaveFileName",
    "ShellExecute", "ExtractIcon", "DragQueryFile", "FindExecutable", "SHGetPathFromIDList",
    "CreateJobObject", "OpenJobObject", "CreateWaitableTimer", "OpenWaitableTimer",
    "CreateMailslot", "CreateNamedPipe", "WaitNamedPipe", "CallNamedPipe", "GetNamedPipeHandleState",
    "OpenMutex", "OpenSemaphore", "GetCompressedFileSize", "EncryptFile", "DecryptFile",
    "ReadDirectoryChanges", "BackupEventLog", "ClearEventLog", "OpenEventLog", "ReadEventLog",
    "RegisterEventSource", "GetMessageString", "PlaySound", "EnumResourceNames",
    "EnumResourceTypes", "BeginUpdateResource", "EndUpdateResource", "GetStringTypeEx",
    "FoldString", "LCMapString", "GetNumberFormat", "GetCurrencyFormat", "EnumCalendarInfo",
    "EnumTimeFormats", "EnumDateFormats", "GetCalendarInfo", "SetCalendarInfo",
    "RegCreateKey", "RegOpenKey", "RegQueryValue", "RegSetValue", "RegDeleteKey",
    "RegEnumKey", "RegEnumValue", "RegQueryInfoKey", "RegLoadKey", "RegSaveKey",
    "StartDocPrinter", "OpenPrinter", "AddPrinter", "GetPrinter", "SetPrinter", "DocumentProperties",
    "DeviceCapabilities", "EnumPrinters", "GetJob", "SetJob", "EnumJobs", "AddJob",
    "CreateColorSpace", "GetLogColorSpace", "GetICMProfile", "SetICMProfile", "EnumICMProfiles",
    "GetGlyphOutline", "GetKerningPairs", "GetOutlineTextMetrics", "GetTextExtentPoint",
    "GetTextExtentPoint32", "GetTextExtentExPoint", "GetTextFace", "GetCharABCWidths",
    "GetCharacterPlacement", "PolyTextOut", "ExtTextOut", "CreateFontIndirect",
    "CreateScalableFontResource", "RemoveFontResource", "EnumFontFamilies",
    "EnumFontFamiliesEx", "GetObject", NULL};

static int is_aw_name(const char *name)
{
    size_t i;
    for (i = 0; aw_names[i]; i++)
        if (strcmp(aw_names[i], name) == 0)
            return 1;
    return 0;
}

static int is_struct_value(const idl_type *t)
{
    t = facet_idl__resolve(t);
    return t && t->kind == TY_NAMED && (t->tag == 's' || t->tag == 'u' ||
                                        (t->decl && (t->decl->kind == D_STRUCT ||
                                                     t->decl->kind == D_UNION)));
}

void facet_idl__abi_check_method(idl_sema *s, const idl_decl *itf, const idl_method *m,
                                 const char *owner)
{
    idl_ctx *c = s->c;
    int local = itf->local || facet_idl__attr(m->attrs, "local");
    if (itf->object && !local && itf->kind == D_INTERFACE) {
        const idl_type *r = facet_idl__resolve(m->ret);
        if (!r || r->kind != TY_BUILTIN || r->builtin != B_RESULT) {
            idl_buf b;
            facet_idl__buf_init(&b, c->mem);
            facet_idl__write_decl(&b, m->ret, NULL);
            /* The type info of the compiled file is what proxies and stubs
             * are made from, and a proxy reports a lost call through the
             * HRESULT. An interface that only reaches this header through
             * an import gets no type info here: widl only warns, and so do
             * we. */
            if (facet_idl__has_typeinfo(c, itf))
                facet_idl__error(c, m->loc, "remotable method %s returns '%s': expected HRESULT, "
                                 "which every method of an interface that is not [local] returns, "
                                 "as its proxy reports a failed call (FACET_E_DISCONNECTED) "
                                 "through it; mark the method or the interface [local] if it is "
                                 "only called in-process", owner, b.data ? b.data : "?");
            else
                facet_idl__warning(c, m->loc, "remotable method %s returns '%s', not HRESULT: no "
                                   "proxy or stub can be made for %s (an error where %s itself "
                                   "is compiled)", owner, b.data ? b.data : "?", itf->name,
                                   itf->file ? itf->file->name : "its file");
            facet_idl__buf_free(&b);
        }
    }
    if (is_struct_value(m->ret) && !s->windows_sdk)
        facet_idl__warning(c, m->loc, "%s returns a struct by value: MSVC returns it through a "
                           "hidden pointer after 'this', GCC and Clang before it, so C++ "
                           "callers and C callers disagree; return it through an [out] pointer",
                           owner);
    if (!s->windows_sdk && itf->object && is_aw_name(m->c_name))
        facet_idl__error(c, m->loc, "method name '%s' is a macro in <windows.h> (%sA/%sW): "
                         "expected another name, or a C file that includes <windows.h> will not "
                         "compile", m->c_name, m->c_name, m->c_name);
}

int facet_idl__abi_check_field(idl_sema *s, const idl_var *v)
{
    if (!v->bits || s->windows_sdk)
        return 0;
    facet_idl__warning(s->c, v->loc, "bitfield '%s': bitfields are laid out differently by "
                       "MSVC and GCC and are not part of the Facet ABI; use a uint32_t "
                       "with named masks", v->name ? v->name : "");
    return 1;
}

int facet_idl__has_typeinfo(const idl_ctx *c, const idl_decl *d)
{
    return d->file == c->main_file && d->defined && d->object && !d->builtin &&
           (d->kind == D_INTERFACE || d->kind == D_DISPINTERFACE);
}

/* The vtable of an interface is its base's, then its own methods in the
 * order they are declared, as MSVC, GCC and Clang lay out single
 * inheritance of pure virtual methods. */
void facet_idl__vtable(idl_ctx *c, const idl_decl *itf, idl_vec *out)
{
    size_t i;
    int guard = 0;
    const idl_decl *chain[64];
    int n = 0;
    for (; itf && n < 64 && guard++ < 64; itf = itf->base)
        chain[n++] = itf;
    while (n-- > 0)
        for (i = 0; i < chain[n]->methods.count; i++) {
            idl_method *m = chain[n]->methods.items[i];
            if (chain[n]->kind == D_DISPINTERFACE)
                continue; /* a dispinterface's methods go through IDispatch::Invoke */
            if (m->in_vtable)
                facet_idl__vec_push(c->arena, out, m);
        }
}
