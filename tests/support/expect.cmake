# tests/support/expect.cmake - runs a program and passes only when it both
# exits 0 and prints what EXPECT matches (a CMake regular expression, "."
# matching newlines too). ctest's PASS_REGULAR_EXPRESSION alone ignores the
# exit status, so a program that printed the line and then crashed, or a
# valgrind run that found errors after it, would pass.
#
#   cmake -DEXPECT=REGEX -P expect.cmake -- PROGRAM [ARGS...]
set(cmd)
set(take OFF)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(take)
    string(REPLACE ";" "\\;" arg "${CMAKE_ARGV${i}}")
    list(APPEND cmd "${arg}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(take ON)
  endif()
endforeach()
if(NOT cmd OR NOT DEFINED EXPECT)
  message(FATAL_ERROR "usage: cmake -DEXPECT=REGEX -P expect.cmake -- PROGRAM [ARGS...]")
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "FAILED: the program ended with exit status ${status}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "FAILED: the output does not match ${EXPECT}")
endif()
