# Cross-building for 64-bit Windows with MinGW-w64 (Debian: gcc-mingw-w64-x86-64,
# g++-mingw-w64-x86-64); programs run under Wine when it is installed, started
# by its 64-bit loader (FACET_WINE: wine64 on PATH, else Debian's
# /usr/lib/wine/wine64, else wine). Debian's `wine` starts the 32-bit loader
# first, which a kernel without 32-bit support cannot run.
#
#   cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake \
#         -DCMAKE_PREFIX_PATH=<prefix with jansson and cmocka built for MinGW>
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(FACET_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${FACET_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FACET_MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${FACET_MINGW_TRIPLE}-windres)
# The MinGW sysroot, and the prefixes that hold libraries built for MinGW.
set(CMAKE_FIND_ROOT_PATH /usr/${FACET_MINGW_TRIPLE} ${CMAKE_PREFIX_PATH})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# No libgcc or libstdc++ DLL to ship next to each program.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
find_program(FACET_WINE NAMES wine64 wine PATHS /usr/lib/wine)
if(FACET_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FACET_WINE})
endif()
