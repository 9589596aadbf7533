/*
 * core/remote/spawn_win32.c - starting, watching and killing the process
 * host on Windows.
 *
 * The child is made suspended, put in a job object of its own and only
 * then resumed, so that nothing it starts runs outside the job even for
 * an instant. The job kills on close (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
 * and only the host holds its handle: when the host ends, however it
 * ends, the system closes the handle and kills the child and everything
 * it started. Breaking away is not allowed (no JOB_OBJECT_LIMIT_BREAKAWAY_OK).
 *
 * What the child inherits is named explicitly (a handle list): the
 * transport's section and a handle of the host's process that can only be
 * waited on (its lifeline), made inheritable for this spawn alone, and
 * the host's stdout and stderr, so that the child's output goes where the
 * host's does, and the read end of the broker's pipe. The command line
 * ends with "--transport", "--lifeline" and "--broker" and their values
 * in the child. The transport's events are duplicated into the suspended
 * child (facet__shm_give). The process host reads the values with
 * facet__child_handles.
 *
 * The broker: a socket the module's IFacetNet connected in the host goes
 * to the child over the pipe, as broker_win32.c writes it (the
 * WSAPROTOCOL_INFOW of WSADuplicateSocketW for the child's process id,
 * after its token); the child makes its own socket of it.
 *
 * The watch is a wait of the system's thread pool on the child's process
 * handle: its end marks the connection dead and tells the owner how the
 * child ended. The transport's waiters wait on the handle themselves
 * (facet__shm_watch_process), so a call in flight ends at once too.
 *
 * The sandbox's wall is put up here, since a process's primary token
 * cannot change once it runs, as Chromium's Windows sandbox does it: the
 * child is made with CreateProcessAsUserW from a restricted copy of the
 * host's own token (no privilege, Administrators deny-only, restricting
 * SIDs) at low integrity, in a job that allows it no child process and
 * holds it to its memory and CPU time and away from the desktop's shared
 * state, and in an AppContainer when the host asks for one and the system
 * has it. What it inherits is handles, which need no access check; what
 * it must open by name (its library, the policy's files and paths) is
 * opened to it: a low-integrity label on the fs.write paths, and an ACE
 * for the AppContainer's SID on every path it reads, each taken away
 * again when the last child that needed it has ended.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../os/os.h"
#include "remote.h"
#include "sandbox.h"

/* How a child killed by the host is reported: as a kill, the way POSIX
 * reports SIGKILL. */
#define KILLED_CODE 9

/* The broker's pipe's buffer (a suggestion the system may round): room
 * for more than the records the host lets wait unread (broker_win32.c). */
#define BROKER_PIPE_SIZE 65536

/* A path opened to a walled child: a low label (container NULL) or an
 * ACE for an AppContainer's SID, shared by every child that needs it. */
typedef struct Opening {
    struct Opening *next;
    wchar_t *path;
    PSID container;      /* NULL: the low label; else owned (LocalAlloc) */
    PSECURITY_DESCRIPTOR saved; /* the label before (LocalFree) */
    uint32_t refs;
} Opening;

struct FacetChild {
    HANDLE process;
    HANDLE job;
    Opening **opened;    /* what this child holds open */
    size_t opened_count;
    char wall[1024];     /* what was put up, for the host's log */
    HANDLE wait;         /* the thread pool's wait on process */
    HANDLE broker;       /* the write end of the broker's pipe */
    HANDLE unread;       /* its read end, the host's copy: what waits unread */
    DWORD pid;
    FacetTransport *tr;
    FacetConn *conn;
    void (*ended)(void *payload, const FacetChildEnd *end);
    void *payload;
    uint32_t killed;     /* atomic: the host killed it */
    uint32_t finished;   /* atomic: its end was told */
};

/* The command line: exe, args, then the handles' values (facet__malloc). */
static char *command_line(const char *exe, const char *const *args, HANDLE section,
                          HANDLE lifeline, HANDLE broker)
{
    char values[3][24];
    const char *tail[6];
    size_t cap = 2 * strlen(exe) + 3 + 1, len = 0, i;
    char *cmd;
    snprintf(values[0], sizeof(values[0]), "%llu", (unsigned long long)(uintptr_t)section);
    snprintf(values[1], sizeof(values[1]), "%llu", (unsigned long long)(uintptr_t)lifeline);
    snprintf(values[2], sizeof(values[2]), "%llu", (unsigned long long)(uintptr_t)broker);
    tail[0] = "--transport";
    tail[1] = values[0];
    tail[2] = "--lifeline";
    tail[3] = values[1];
    tail[4] = "--broker";
    tail[5] = values[2];
    for (i = 0; args[i] != NULL; i++)
        cap += 2 * strlen(args[i]) + 3;
    for (i = 0; i < 6; i++)
        cap += 2 * strlen(tail[i]) + 3;
    cmd = facet__malloc(cap);
    if (cmd == NULL)
        return NULL;
    cmd[0] = '\0';
    facet__win_quote_arg(cmd, &len, exe);
    for (i = 0; args[i] != NULL; i++)
        facet__win_quote_arg(cmd, &len, args[i]);
    for (i = 0; i < 6; i++)
        facet__win_quote_arg(cmd, &len, tail[i]);
    if (len > 0)
        cmd[len - 1] = '\0'; /* the last space */
    return cmd;
}

/* An inheritable copy of h (access 0: the same), or NULL. (This
 * process's own handle is INVALID_HANDLE_VALUE's value: is_self says so.) */
static HANDLE inheritable(HANDLE h, DWORD access, int is_self)
{
    HANDLE self = GetCurrentProcess(), copy = NULL;
    if (h == NULL || (h == INVALID_HANDLE_VALUE && !is_self))
        return NULL;
    if (!DuplicateHandle(self, h, self, &copy, access, TRUE, access ? 0 : DUPLICATE_SAME_ACCESS))
        return NULL;
    return copy;
}

/* ---- The wall ------------------------------------------------------------ */

#define say facet__sandbox_say

/* Everything a job can keep from the desktop's shared state. */
#define UI_LIMITS                                                                                  \
    (JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |                             \
     JOB_OBJECT_UILIMIT_EXITWINDOWS | JOB_OBJECT_UILIMIT_GLOBALATOMS | JOB_OBJECT_UILIMIT_HANDLES | \
     JOB_OBJECT_UILIMIT_READCLIPBOARD | JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS |                      \
     JOB_OBJECT_UILIMIT_WRITECLIPBOARD)

/* The child's job: it kills on close; walled, it also allows no second
 * process, and holds the limits of the policy and the UI restrictions. */
static HANDLE new_job(const FacetSandboxPolicy *wall, char *report, size_t size)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    JOBOBJECT_BASIC_UI_RESTRICTIONS ui;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job == NULL)
        return NULL;
    memset(&lim, 0, sizeof(lim));
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
                                           JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (wall != NULL) {
        const FacetSandboxLimits *l = &wall->limits;
        lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
        lim.BasicLimitInformation.ActiveProcessLimit = 1;
        if (l->memory_mb != 0) {
            uint64_t bytes = l->memory_mb > (uint64_t)SIZE_MAX >> 20 ? (uint64_t)SIZE_MAX
                                                                    : l->memory_mb << 20;
            lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
            lim.ProcessMemoryLimit = (SIZE_T)bytes;
        }
        if (l->cpu_seconds != 0) {
            /* in units of 100 ns */
            lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_TIME;
            lim.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart =
                l->cpu_seconds > (uint64_t)INT64_MAX / 10000000 ? INT64_MAX
                                                                : (int64_t)l->cpu_seconds *
                                                                      10000000;
        }
    }
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof(lim))) {
        CloseHandle(job);
        return NULL;
    }
    if (wall == NULL)
        return job;
    say(report, size, "job: one process (no child process)");
    if (wall->limits.memory_mb != 0)
        say(report, size, "memory %llu MiB", (unsigned long long)wall->limits.memory_mb);
    if (wall->limits.cpu_seconds != 0)
        say(report, size, "CPU %llu s (user time)",
            (unsigned long long)wall->limits.cpu_seconds);
    if (wall->limits.open_files != 0)
        say(report, size, "open_files given up (Windows has no limit on a process's handles)");
    ui.UIRestrictionsClass = UI_LIMITS;
    if (SetInformationJobObject(job, JobObjectBasicUIRestrictions, &ui, sizeof(ui)))
        say(report, size, "UI restrictions 0x%02X", (unsigned)UI_LIMITS);
    else
        say(report, size, "UI restrictions given up: SetInformationJobObject failed (error %lu)",
            (unsigned long)GetLastError());
    return job;
}

/* The child's token: a restricted copy of this process's own (which needs
 * no privilege to assign), as Chromium's restricted tokens are made. No
 * privilege but SeChangeNotify (DISABLE_MAX_PRIVILEGE); Administrators
 * deny-only, so that a host run by an administrator gives its child no
 * administrator's rights; restricting SIDs (the user, the logon session,
 * Everyone, Users, RESTRICTED), so that an object opens only where one of
 * those is granted too, which every file of the user's and the system's
 * libraries are, and objects granted to Administrators, Authenticated
 * Users or INTERACTIVE alone are not; then low integrity, so that it
 * writes nothing labelled above it (no write-up: every file without a
 * label is Medium). NULL, with the report saying why, on failure. */
static HANDLE wall_token(char *report, size_t size)
{
    static SID_IDENTIFIER_AUTHORITY label_authority = {SECURITY_MANDATORY_LABEL_AUTHORITY};
    static const WELL_KNOWN_SID_TYPE restricting[] = {WinWorldSid, WinBuiltinUsersSid,
                                                      WinRestrictedCodeSid};
    union {
        TOKEN_USER user;
        BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } user;
    BYTE sids[4][SECURITY_MAX_SID_SIZE];
    SID_AND_ATTRIBUTES deny[1], restrict_to[5];
    TOKEN_GROUPS *groups = NULL;
    TOKEN_MANDATORY_LABEL label;
    HANDLE self = NULL, token = NULL;
    PSID low = NULL;
    DWORD n = 0, count = 0, i, sid_size;
    const char *failed = NULL;

    if (!OpenProcessToken(GetCurrentProcess(),
                          TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY |
                              TOKEN_ADJUST_DEFAULT,
                          &self)) {
        failed = "OpenProcessToken";
        goto done;
    }
    if (!GetTokenInformation(self, TokenUser, &user, sizeof(user), &n)) {
        failed = "GetTokenInformation(TokenUser)";
        goto done;
    }
    restrict_to[count].Sid = user.user.User.Sid;
    restrict_to[count++].Attributes = 0;
    /* the logon session's SID, which the window station and the desktop
     * grant */
    GetTokenInformation(self, TokenGroups, NULL, 0, &n);
    if (n > 0 && (groups = facet__malloc(n)) != NULL &&
        GetTokenInformation(self, TokenGroups, groups, n, &n))
        for (i = 0; i < groups->GroupCount; i++)
            if ((groups->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) {
                restrict_to[count].Sid = groups->Groups[i].Sid;
                restrict_to[count++].Attributes = 0;
                break;
            }
    for (i = 0; i < 3; i++) {
        sid_size = SECURITY_MAX_SID_SIZE;
        if (!CreateWellKnownSid(restricting[i], NULL, sids[i], &sid_size)) {
            failed = "CreateWellKnownSid";
            goto done;
        }
        restrict_to[count].Sid = sids[i];
        restrict_to[count++].Attributes = 0;
    }
    sid_size = SECURITY_MAX_SID_SIZE;
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, sids[3], &sid_size)) {
        failed = "CreateWellKnownSid";
        goto done;
    }
    deny[0].Sid = sids[3];
    deny[0].Attributes = 0;
    if (!CreateRestrictedToken(self, DISABLE_MAX_PRIVILEGE, 1, deny, 0, NULL, count,
                               restrict_to, &token)) {
        failed = "CreateRestrictedToken";
        goto done;
    }
    say(report, size, "restricted token (no privilege, Administrators deny-only, restricting "
                      "SIDs)");
    if (!AllocateAndInitializeSid(&label_authority, 1, SECURITY_MANDATORY_LOW_RID, 0, 0, 0, 0, 0,
                                  0, 0, &low)) {
        failed = "AllocateAndInitializeSid";
        goto done;
    }
    label.Label.Attributes = SE_GROUP_INTEGRITY;
    label.Label.Sid = low;
    if (!SetTokenInformation(token, TokenIntegrityLevel, &label,
                             (DWORD)(sizeof(label) + GetLengthSid(low)))) {
        failed = "SetTokenInformation(TokenIntegrityLevel)";
        goto done;
    }
    say(report, size, "integrity level Low");
done:
    if (failed != NULL) {
        say(report, size, "the sandbox's token could not be made: %s failed (error %lu)", failed,
            (unsigned long)GetLastError());
        if (token != NULL)
            CloseHandle(token);
        token = NULL;
    }
    if (low != NULL)
        FreeSid(low);
    facet__free(groups);
    if (self != NULL)
        CloseHandle(self);
    return token;
}

typedef HRESULT(WINAPI *CreateProfileFn)(PCWSTR name, PCWSTR display, PCWSTR description,
                                         PSID_AND_ATTRIBUTES capabilities, DWORD count,
                                         PSID *sid);
typedef HRESULT(WINAPI *DeriveSidFn)(PCWSTR name, PSID *sid);

/* The AppContainer of the module, by name "Facet.<module>" (made once,
 * then found), when the host asks for one and the system has it: its SID
 * (FreeSid), or NULL with the report saying why not. No capability: no
 * network, no user's library, no device. */
static PSID app_container(const FacetSandboxPolicy *wall, char *report, size_t size)
{
    const char *ask = getenv("FACET_SANDBOX_APPCONTAINER");
    wchar_t name[64];
    HMODULE userenv;
    CreateProfileFn create;
    DeriveSidFn derive;
    PSID sid = NULL;
    HRESULT hr;
    size_t i, n;
    void *sym;
    if (ask == NULL || strcmp(ask, "1") != 0) {
        say(report, size, "no AppContainer (not asked for: FACET_SANDBOX_APPCONTAINER=1)");
        return NULL;
    }
    userenv = LoadLibraryExW(L"userenv.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (userenv == NULL) {
        say(report, size, "AppContainer given up: no userenv.dll (error %lu)",
            (unsigned long)GetLastError());
        return NULL;
    }
    sym = (void *)GetProcAddress(userenv, "CreateAppContainerProfile");
    memcpy(&create, &sym, sizeof(create));
    sym = (void *)GetProcAddress(userenv, "DeriveAppContainerSidFromAppContainerName");
    memcpy(&derive, &sym, sizeof(derive));
    if (create == NULL || derive == NULL) {
        say(report, size, "AppContainer given up: userenv.dll has no %s (Windows 8 and later "
                          "have it)",
            create == NULL ? "CreateAppContainerProfile"
                           : "DeriveAppContainerSidFromAppContainerName");
        FreeLibrary(userenv);
        return NULL;
    }
    /* a profile's name: up to 64 characters of letters, digits, '.', '-'
     * and '_' */
    wcscpy(name, L"Facet.");
    n = wcslen(name);
    for (i = 0; wall->module != NULL && wall->module[i] != '\0' && n < 63; i++) {
        char c = wall->module[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
        name[n++] = ok ? (wchar_t)c : L'_';
    }
    name[n] = L'\0';
    hr = create(name, name, L"A process host of Facet", NULL, 0, &sid);
    if (hr == HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS))
        hr = derive(name, &sid);
    FreeLibrary(userenv);
    if (FAILED(hr) || sid == NULL) {
        say(report, size, "AppContainer given up: its profile could not be made (HRESULT "
                          "0x%08lX)",
            (unsigned long)hr);
        return NULL;
    }
    return sid;
}

/* Paths opened to walled children, each shared by the children that need
 * it and taken back when the last one ends. */
static SRWLOCK openings_lock = SRWLOCK_INIT;
static Opening *openings;

static int same_grantee(PSID a, PSID b)
{
    return a == NULL ? b == NULL : b != NULL && EqualSid(a, b);
}

/* The label (container NULL) or ACE of o, put on (on) or taken off. */
static DWORD apply(const Opening *o, DWORD access, int on)
{
    DWORD attrs = GetFileAttributesW(o->path), err;
    DWORD inherit = attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)
                        ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
                        : 0;
    if (o->container == NULL) {
        static SID_IDENTIFIER_AUTHORITY label_authority = {SECURITY_MANDATORY_LABEL_AUTHORITY};
        union {
            ACL acl;
            BYTE bytes[sizeof(ACL) + sizeof(SYSTEM_MANDATORY_LABEL_ACE) + SECURITY_MAX_SID_SIZE];
        } buf;
        PACL sacl = &buf.acl;
        BOOL present = FALSE, defaulted = FALSE;
        PSID low = NULL;
        if (!on) {
            /* as it was: its own label, or none (an empty one) */
            if (!GetSecurityDescriptorSacl(o->saved, &present, &sacl, &defaulted) || !present ||
                sacl == NULL) {
                sacl = &buf.acl;
                InitializeAcl(sacl, sizeof(buf), ACL_REVISION);
            }
        } else {
            if (!AllocateAndInitializeSid(&label_authority, 1, SECURITY_MANDATORY_LOW_RID, 0, 0,
                                          0, 0, 0, 0, 0, &low))
                return GetLastError();
            if (!InitializeAcl(sacl, sizeof(buf), ACL_REVISION) ||
                !AddMandatoryAce(sacl, ACL_REVISION, inherit, SYSTEM_MANDATORY_LABEL_NO_WRITE_UP,
                                 low)) {
                err = GetLastError();
                FreeSid(low);
                return err;
            }
            FreeSid(low);
        }
        return SetNamedSecurityInfoW(o->path, SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, NULL,
                                     NULL, NULL, sacl);
    } else {
        EXPLICIT_ACCESSW ea;
        PACL dacl = NULL, changed = NULL;
        PSECURITY_DESCRIPTOR sd = NULL;
        err = GetNamedSecurityInfoW(o->path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
                                    NULL, &dacl, NULL, &sd);
        if (err != ERROR_SUCCESS)
            return err;
        memset(&ea, 0, sizeof(ea));
        ea.grfAccessPermissions = access;
        ea.grfAccessMode = on ? GRANT_ACCESS : REVOKE_ACCESS;
        ea.grfInheritance = inherit;
        ea.Trustee.TrusteeForm = TRUSTEE_IS_SID;
        ea.Trustee.TrusteeType = TRUSTEE_IS_WELL_KNOWN_GROUP;
        ea.Trustee.ptstrName = (LPWSTR)o->container;
        err = SetEntriesInAclW(1, &ea, dacl, &changed);
        if (err == ERROR_SUCCESS)
            err = SetNamedSecurityInfoW(o->path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
                                        NULL, changed, NULL);
        LocalFree(changed);
        LocalFree(sd);
        return err;
    }
}

/* Opens path to ch's process: a low label (container NULL), which lets a
 * low-integrity process write there, or an ACE giving container access.
 * 0, or the system's error. */
static DWORD open_path(FacetChild *ch, const char *path, PSID container, DWORD access)
{
    Opening *o, **held;
    wchar_t *w = NULL;
    DWORD err = 0;
    if (FACET_FAILED(facet__win_widen(&w, path)))
        return ERROR_NOT_ENOUGH_MEMORY;
    held = facet__realloc(ch->opened, (ch->opened_count + 1) * sizeof(*held));
    if (held == NULL) {
        facet__free(w);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    ch->opened = held;
    AcquireSRWLockExclusive(&openings_lock);
    for (o = openings; o != NULL; o = o->next)
        if (wcscmp(o->path, w) == 0 && same_grantee(o->container, container))
            break;
    if (o != NULL) {
        o->refs++;
        facet__free(w);
    } else if ((o = facet__calloc(1, sizeof(*o))) == NULL) {
        err = ERROR_NOT_ENOUGH_MEMORY;
        facet__free(w);
    } else {
        o->path = w;
        o->refs = 1;
        if (container != NULL) {
            DWORD n = GetLengthSid(container);
            if ((o->container = LocalAlloc(LMEM_FIXED, n)) == NULL || !CopySid(n, o->container,
                                                                               container))
                err = ERROR_NOT_ENOUGH_MEMORY;
        } else {
            PACL sacl = NULL;
            err = GetNamedSecurityInfoW(w, SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, NULL, NULL,
                                        NULL, &sacl, &o->saved);
        }
        if (err == 0)
            err = apply(o, access, 1);
        if (err != 0) {
            LocalFree(o->container);
            LocalFree(o->saved);
            facet__free(o->path);
            facet__free(o);
            o = NULL;
        } else {
            o->next = openings;
            openings = o;
        }
    }
    ReleaseSRWLockExclusive(&openings_lock);
    if (o != NULL)
        ch->opened[ch->opened_count++] = o;
    return err;
}

/* Takes back what ch's process was opened to (only what was opened to
 * its AppContainer: containers_only), where no other child still needs
 * it. */
static void close_paths(FacetChild *ch, int containers_only)
{
    size_t i, kept = 0;
    AcquireSRWLockExclusive(&openings_lock);
    for (i = 0; i < ch->opened_count; i++) {
        Opening *o = ch->opened[i], **at;
        if (containers_only && o->container == NULL) {
            ch->opened[kept++] = o;
            continue;
        }
        if (--o->refs > 0)
            continue;
        for (at = &openings; *at != NULL; at = &(*at)->next)
            if (*at == o) {
                *at = o->next;
                break;
            }
        apply(o, 0, 0);
        LocalFree(o->container);
        LocalFree(o->saved);
        facet__free(o->path);
        facet__free(o);
    }
    ReleaseSRWLockExclusive(&openings_lock);
    ch->opened_count = kept;
    if (kept == 0) {
        facet__free(ch->opened);
        ch->opened = NULL;
    }
}

#define READ_ACCESS (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE)
#define WRITE_ACCESS (FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE)

/* Opens what the policy names to the child: its fs.write paths to a
 * low-integrity writer; with an AppContainer, every path it reads (the
 * process host's folder, which holds libfacet, the module's library, the
 * policy's files and its fs.read paths) and writes to the container. */
static void open_paths(FacetChild *ch, const FacetSandboxPolicy *wall, const char *exe,
                       PSID container)
{
    size_t i, opened = 0, failed = 0;
    DWORD err, first = 0;
    const char *first_path = NULL;
    char *folder = facet__path_dirname(exe);
#define OPEN(path, sid, access)                                                                    \
    do {                                                                                           \
        if ((err = open_path(ch, (path), (sid), (access))) == 0) {                                 \
            opened++;                                                                              \
        } else if (failed++ == 0) {                                                                \
            first = err;                                                                           \
            first_path = (path);                                                                   \
        }                                                                                          \
    } while (0)
    for (i = 0; i < wall->write_count; i++)
        OPEN(wall->write[i], NULL, 0);
    if (wall->write_count > 0 && failed == 0)
        say(ch->wall, sizeof(ch->wall), "fs.write paths labelled low integrity (%zu)",
            wall->write_count);
    if (container != NULL) {
        for (i = 0; i < wall->write_count; i++)
            OPEN(wall->write[i], container, WRITE_ACCESS);
        for (i = 0; i < wall->read_count; i++)
            OPEN(wall->read[i], container, READ_ACCESS);
        for (i = 0; i < wall->file_count; i++)
            OPEN(wall->files[i], container, READ_ACCESS);
        if (wall->library != NULL)
            OPEN(wall->library, container, READ_ACCESS);
        if (folder != NULL)
            OPEN(folder, container, READ_ACCESS);
    }
#undef OPEN
    if (failed > 0)
        say(ch->wall, sizeof(ch->wall),
            "%zu of %zu paths given up (%s: SetNamedSecurityInfoW failed, error %lu)",
            failed, failed + opened, first_path, (unsigned long)first);
    facet__free(folder);
}

/* Makes the walled child, suspended: CreateProcessAsUserW with token, the
 * handle list, and the AppContainer's security capabilities when there is
 * one (*container: NULL when the system refused it, and the report says
 * so). */
static BOOL create_walled(HANDLE token, const wchar_t *exe, wchar_t *cmd, STARTUPINFOW *si,
                          HANDLE *handles, DWORD n, PSID container, PROCESS_INFORMATION *pi)
{
    STARTUPINFOEXW six;
    SECURITY_CAPABILITIES caps;
    SIZE_T size = 0;
    LPPROC_THREAD_ATTRIBUTE_LIST list;
    DWORD count = container != NULL ? 2 : 1;
    BOOL ok = FALSE;
    DWORD err = ERROR_INVALID_PARAMETER;
    memset(&six, 0, sizeof(six));
    six.StartupInfo = *si;
    six.StartupInfo.cb = sizeof(six);
    InitializeProcThreadAttributeList(NULL, count, 0, &size);
    list = size > 0 ? facet__malloc(size) : NULL;
    if (list == NULL || !InitializeProcThreadAttributeList(list, count, 0, &size)) {
        facet__free(list);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    memset(&caps, 0, sizeof(caps));
    caps.AppContainerSid = container;
    if (UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
                                  n * sizeof(HANDLE), NULL, NULL) &&
        (container == NULL ||
         UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES, &caps,
                                   sizeof(caps), NULL, NULL))) {
        six.lpAttributeList = list;
        ok = CreateProcessAsUserW(token, exe, cmd, NULL, NULL, TRUE,
                                  CREATE_SUSPENDED | CREATE_NO_WINDOW |
                                      EXTENDED_STARTUPINFO_PRESENT,
                                  NULL, NULL, &six.StartupInfo, pi);
    }
    if (!ok)
        err = GetLastError();
    DeleteProcThreadAttributeList(list);
    facet__free(list);
    if (!ok)
        SetLastError(err);
    return ok;
}

void facet__child_end_name(char *buf, size_t size, const FacetChildEnd *end)
{
    const char *what = "an unhandled exception";
    if (end->how == FACET_OS_CHILD_EXITED) {
        snprintf(buf, size, "exited with status %lld", (long long)end->code);
        return;
    }
    if (end->code == KILLED_CODE) {
        snprintf(buf, size, "was killed (TerminateJobObject)");
        return;
    }
    switch ((uint32_t)end->code) {
    case 0xC0000005u: what = "an access violation"; break;
    case 0xC00000FDu: what = "a stack overflow"; break;
    case 0xC000001Du: what = "an illegal instruction"; break;
    case 0xC0000094u: what = "an integer division by zero"; break;
    case 0xC0000409u: what = "a stack buffer overrun (or a fail-fast abort)"; break;
    default: break;
    }
    snprintf(buf, size, "crashed with %s (exception 0x%08lX)", what,
             (unsigned long)(uint32_t)end->code);
}

/* Once the child has ended: the connection dead, then the owner told. */
static void finish(FacetChild *ch)
{
    FacetChildEnd end;
    DWORD code = 0;
    uint32_t killed;
    char text[96];
    end.syscall = -1;
    if (__atomic_exchange_n(&ch->finished, 1u, __ATOMIC_ACQ_REL) != 0)
        return;
    killed = __atomic_load_n(&ch->killed, __ATOMIC_ACQUIRE);
    GetExitCodeProcess(ch->process, &code);
    if (killed) {
        end.how = FACET_OS_CHILD_SIGNALED;
        end.code = KILLED_CODE;
    } else {
        /* An NTSTATUS error (0xC...) is an unhandled exception: a crash. */
        end.how = (code & 0xC0000000u) == 0xC0000000u ? FACET_OS_CHILD_SIGNALED
                                                      : FACET_OS_CHILD_EXITED;
        end.code = (int64_t)code;
    }
    facet__child_end_name(text, sizeof(text), &end);
    if (ch->conn != NULL)
        facet__conn_kill(ch->conn, FACET_E_CRASHED, "the process host (pid %lu) %s",
                         (unsigned long)ch->pid, text);
    else
        ch->tr->ops->mark_dead(ch->tr);
    /* Whatever it started goes with it, and what it was opened to is
     * taken back. */
    TerminateJobObject(ch->job, KILLED_CODE);
    close_paths(ch, 0);
    if (ch->ended != NULL)
        ch->ended(ch->payload, &end);
}

static VOID CALLBACK on_end(PVOID arg, BOOLEAN timed_out)
{
    (void)timed_out;
    finish(arg);
}

FacetResult facet__child_spawn(FacetChild **out, const char *exe, const char *const *args,
                               const FacetSandboxPolicy *wall, FacetTransport *tr,
                               FacetConn *conn,
                               void (*ended)(void *payload, const FacetChildEnd *end),
                               void *payload)
{
    static const char *const none[] = {NULL};
    FacetChild *ch;
    HANDLE self = GetCurrentProcess(), token = NULL;
    PSID container = NULL;
    HANDLE handles[5], section = NULL, lifeline = NULL, broker = NULL, std_out, std_err;
    DWORD n = 0;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *wexe = NULL, *wcmd = NULL;
    char *cmd = NULL;
    FacetResult r = FACET_OK;
    size_t i;
    *out = NULL;
    if (exe == NULL || tr == NULL || !tr->host || facet__shm_handle(tr) == -1)
        return facet__error(FACET_E_INVALIDARG, "facet__child_spawn: no program or no transport");
    if (args == NULL)
        args = none;
    ch = facet__calloc(1, sizeof(*ch));
    if (ch == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    ch->tr = tr;
    ch->conn = conn;
    ch->ended = ended;
    ch->payload = payload;
    memset(&pi, 0, sizeof(pi));
    ch->job = new_job(wall, ch->wall, sizeof(ch->wall));
    if (ch->job == NULL) {
        r = facet__error(FACET_E_FAIL, "%s: no job object for the process host (error %lu)", exe,
                         (unsigned long)GetLastError());
        goto fail;
    }
    /* For this spawn alone: inheritable copies, closed once it is made. */
    section = inheritable((HANDLE)facet__shm_handle(tr), 0, 0);
    lifeline = inheritable(self, SYNCHRONIZE, 1);
    /* The broker's pipe: neither end inheritable; the child gets a copy
     * of the read end, and the write end stays here alone, so that the
     * child reads the pipe's end when the host is gone. */
    if (CreatePipe(&ch->unread, &ch->broker, NULL, BROKER_PIPE_SIZE))
        broker = inheritable(ch->unread, 0, 0);
    if (section == NULL || lifeline == NULL || broker == NULL) {
        r = facet__error(FACET_E_FAIL, "%s: cannot pass handles to the process host (error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    handles[n++] = section;
    handles[n++] = lifeline;
    handles[n++] = broker;
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    std_out = inheritable(GetStdHandle(STD_OUTPUT_HANDLE), 0, 0);
    std_err = inheritable(GetStdHandle(STD_ERROR_HANDLE), 0, 0);
    if (std_out != NULL || std_err != NULL) {
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdOutput = std_out;
        si.hStdError = std_err;
        if (std_out != NULL)
            handles[n++] = std_out;
        if (std_err != NULL)
            handles[n++] = std_err;
    }
    cmd = command_line(exe, args, section, lifeline, broker);
    if (cmd == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        goto fail;
    }
    r = facet__win_widen(&wexe, exe);
    if (FACET_SUCCEEDED(r))
        r = facet__win_widen(&wcmd, cmd);
    if (FACET_FAILED(r))
        goto fail;
    if (facet__fault(FACET_FAULT_PROCESS)) {
        r = facet__error(FACET_E_FAIL, "%s: CreateProcessW failed: injected fault", exe);
        goto fail;
    }
    if (wall != NULL) {
        /* The token, then the AppContainer, then the paths opened to
         * them: the child has its wall before it runs a line. */
        token = wall_token(ch->wall, sizeof(ch->wall));
        if (token == NULL) {
            r = facet__error(FACET_E_FAIL, "%s: cannot put up the process host's sandbox (%s); "
                                           "FACET_SANDBOX=off starts it without",
                             exe, ch->wall);
            goto fail;
        }
        container = app_container(wall, ch->wall, sizeof(ch->wall));
        open_paths(ch, wall, exe, container);
        if (!create_walled(token, wexe, wcmd, &si, handles, n, container, &pi) &&
            container != NULL) {
            /* an AppContainer the system refused: the rest of the wall holds */
            say(ch->wall, sizeof(ch->wall),
                "AppContainer given up: CreateProcessAsUserW refused it (error %lu)",
                (unsigned long)GetLastError());
            FreeSid(container);
            container = NULL;
            close_paths(ch, 1);
            memset(&pi, 0, sizeof(pi));
            create_walled(token, wexe, wcmd, &si, handles, n, NULL, &pi);
        } else if (container != NULL) {
            say(ch->wall, sizeof(ch->wall), "AppContainer Facet.%s, no capability (no network)",
                wall->module != NULL ? wall->module : "?");
        }
    }
    if (pi.hProcess == NULL &&
        (wall != NULL ||
         !facet__win_create_process(wexe, wcmd, &si, (void *const *)handles, n, &pi))) {
        DWORD err = GetLastError();
        r = facet__error(err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND
                             ? FACET_E_FILENOTFOUND
                             : FACET_E_FAIL,
                         "%s: %s failed (error %lu)", exe,
                         wall != NULL ? "CreateProcessAsUserW" : "CreateProcessW",
                         (unsigned long)err);
        goto fail;
    }
    ch->process = pi.hProcess;
    ch->pid = pi.dwProcessId;
    /* Suspended until it is in the job and has its events: nothing it
     * starts can escape the job. */
    if (!AssignProcessToJobObject(ch->job, pi.hProcess)) {
        r = facet__error(FACET_E_FAIL, "%s: cannot put the process host in a job (error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    if (facet__shm_give(tr, pi.hProcess) != FACET_TR_OK) {
        r = facet__error(FACET_E_FAIL, "%s: cannot give the transport to the process host "
                                       "(error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    facet__shm_watch_process(tr, pi.hProcess);
    if (!RegisterWaitForSingleObject(&ch->wait, pi.hProcess, on_end, ch, INFINITE,
                                     WT_EXECUTEONLYONCE)) {
        r = facet__error(FACET_E_FAIL, "%s: cannot watch the process host (error %lu)", exe,
                         (unsigned long)GetLastError());
        ch->wait = NULL;
        goto fail;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    for (i = 0; i < n; i++)
        CloseHandle(handles[i]);
    if (token != NULL)
        CloseHandle(token);
    if (container != NULL)
        FreeSid(container);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    *out = ch;
    return FACET_OK;
fail:
    if (pi.hThread != NULL)
        CloseHandle(pi.hThread);
    if (ch->process != NULL) {
        TerminateProcess(ch->process, KILLED_CODE);
        WaitForSingleObject(ch->process, INFINITE);
        facet__shm_watch_process(tr, NULL);
        CloseHandle(ch->process);
    }
    if (ch->job != NULL)
        CloseHandle(ch->job);
    if (n == 0) {
        if (section != NULL)
            CloseHandle(section);
        if (lifeline != NULL)
            CloseHandle(lifeline);
        if (broker != NULL)
            CloseHandle(broker);
    }
    for (i = 0; i < n; i++)
        CloseHandle(handles[i]);
    if (ch->broker != NULL)
        CloseHandle(ch->broker);
    if (ch->unread != NULL)
        CloseHandle(ch->unread);
    if (token != NULL)
        CloseHandle(token);
    if (container != NULL)
        FreeSid(container);
    close_paths(ch, 0);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    facet__free(ch);
    return r;
}

void facet__child_kill(FacetChild *ch)
{
    if (ch == NULL || __atomic_exchange_n(&ch->killed, 1u, __ATOMIC_ACQ_REL) != 0)
        return;
    if (!TerminateJobObject(ch->job, KILLED_CODE))
        TerminateProcess(ch->process, KILLED_CODE);
}

void facet__child_free(FacetChild *ch, uint32_t grace_ms)
{
    if (ch == NULL)
        return;
    if (WaitForSingleObject(ch->process, grace_ms) != WAIT_OBJECT_0)
        facet__child_kill(ch);
    WaitForSingleObject(ch->process, INFINITE);
    /* Waits for a callback under way; one that never started is run here. */
    if (ch->wait != NULL)
        UnregisterWaitEx(ch->wait, INVALID_HANDLE_VALUE);
    finish(ch);
    CloseHandle(ch->job); /* kills on close: nothing it started stays */
    CloseHandle(ch->process);
    CloseHandle(ch->broker);
    CloseHandle(ch->unread);
    facet__free(ch);
}

uint64_t facet__child_pid(const FacetChild *ch)
{
    return ch->pid;
}

const char *facet__child_wall(const FacetChild *ch)
{
    return ch->wall;
}

FacetResult facet__child_send_socket(FacetChild *ch, uint64_t socket, uint64_t token)
{
    if (ch == NULL || ch->broker == NULL) {
        facet__os_socket_close(socket);
        return facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process "
                                          "host: it is gone");
    }
    return facet__broker_send((intptr_t)ch->broker, (intptr_t)ch->unread, ch->pid, socket, token);
}

/* A crash ends the process host at once, with its exception code as its
 * exit status (which the host reads as a crash): no error report dialog,
 * no debugger (Wine starts winedbg), nothing that waits for a person. */
static LONG WINAPI end_on_crash(EXCEPTION_POINTERS *e)
{
    TerminateProcess(GetCurrentProcess(), e->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

static VOID CALLBACK host_ended(PVOID arg, BOOLEAN timed_out)
{
    (void)arg;
    (void)timed_out;
    TerminateProcess(GetCurrentProcess(), KILLED_CODE);
}

void facet__child_supervise(intptr_t lifeline)
{
    HANDLE wait = NULL;
    /* The job does the supervisor's work: the host's end closes it, and
     * that kills this process and everything it started. The lifeline is
     * watched too, for a host that could not make the job kill on close
     * (the wait is never unregistered: it lasts as long as the process). */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(end_on_crash);
    if (lifeline == 0 || lifeline == -1)
        return;
    if (WaitForSingleObject((HANDLE)lifeline, 0) == WAIT_OBJECT_0)
        TerminateProcess(GetCurrentProcess(), KILLED_CODE);
    RegisterWaitForSingleObject(&wait, (HANDLE)lifeline, host_ended, NULL, INFINITE,
                                WT_EXECUTEONLYONCE);
}

FacetResult facet__child_handles(int argc, char **argv, intptr_t *transport, intptr_t *lifeline,
                                 intptr_t *broker)
{
    int i;
    *transport = *lifeline = *broker = -1;
    for (i = 1; i + 1 < argc; i++) {
        intptr_t *to = strcmp(argv[i], "--transport") == 0  ? transport
                       : strcmp(argv[i], "--lifeline") == 0 ? lifeline
                       : strcmp(argv[i], "--broker") == 0   ? broker
                                                           : NULL;
        char *end;
        unsigned long long v;
        if (to == NULL)
            continue;
        v = strtoull(argv[i + 1], &end, 10);
        if (end == argv[i + 1] || *end != '\0' || v == 0 || v > (unsigned long long)INTPTR_MAX)
            return facet__error(FACET_E_INVALIDARG, "%s %s: not a handle's value", argv[i],
                                argv[i + 1]);
        *to = (intptr_t)v;
        i++;
    }
    if (*transport == -1 || *lifeline == -1)
        return facet__error(FACET_E_INVALIDARG,
                            "the process host needs --transport and --lifeline (it is started "
                            "by libfacet, not by hand)");
    return FACET_OK;
}

static int is_file(const wchar_t *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

FacetResult facet__host_program(char **out)
{
    HMODULE self = NULL;
    wchar_t env[32768], path[32768], *slash;
    DWORD n;
    *out = NULL;
    n = GetEnvironmentVariableW(L"FACET_HOST_PROGRAM", env, 32768);
    if (n > 0 && n < 32768) {
        *out = facet__win_narrow(env);
        if (*out == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        if (!is_file(env)) {
            FacetResult r = facet__error(FACET_E_FILENOTFOUND,
                                         "%s: no such program (the process host, named by "
                                         "FACET_HOST_PROGRAM)",
                                         *out);
            facet__free(*out);
            *out = NULL;
            return r;
        }
        return FACET_OK;
    }
    /* facet-host.exe next to facet.dll: the build tree and the install
     * alike put both in one folder. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)(uintptr_t)facet__host_program, &self) ||
        (n = GetModuleFileNameW(self, path, 32768)) == 0 || n >= 32768 - 16)
        return facet__error(FACET_E_NOTFOUND, "cannot tell which file libfacet was loaded from");
    slash = wcsrchr(path, L'\\');
    if (slash == NULL)
        slash = wcsrchr(path, L'/');
    slash = slash != NULL ? slash + 1 : path;
    wcscpy(slash, L"facet-host.exe");
    *out = facet__win_narrow(path);
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    if (!is_file(path)) {
        FacetResult r = facet__error(FACET_E_FILENOTFOUND,
                                     "%s: no such program (the process host, installed next to "
                                     "libfacet); install it, or name it with FACET_HOST_PROGRAM",
                                     *out);
        facet__free(*out);
        *out = NULL;
        return r;
    }
    return FACET_OK;
}

#endif /* _WIN32 */
