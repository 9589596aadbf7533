# FacetManifest.cmake - writes a module's manifest from a hand-written part
# and the IDL's coclasses; facet_add_module() runs it as a build step:
#
#   cmake -DPART=part.facet.json -DOUT=module.facet.json -DLIBRARY=module.dll
#         [-DPLATFORM=windows] [-DNAME=name] [-DVERSION=1.0.0]
#         [-DCLASSES=A|B] [-DCLASSES_FILES=x_classes.json|y_classes.json]
#         [-DREQUIRE_MODULE=ON] -P FacetManifest.cmake
#
# The part's fields all stay (requires, permissions, description,
# isolation, another platform's library, a class's description). NAME and
# VERSION are written as the module's, and must agree with the part where
# it has them too. The library, for PLATFORM, is LIBRARY. Each class named
# in CLASSES is the coclass of that name in one of CLASSES_FILES (what
# `facet-idl --lang manifest` writes): clsid, contract (its progid),
# threading and interfaces replace what the part said of the class of the
# same clsid, and the classes are those of CLASSES, in that order. With
# REQUIRE_MODULE (a build that cannot run the module to ask it), the name
# and the version must be known. OUT is written only when it changes.
cmake_minimum_required(VERSION 3.20)

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "${PART}: ${text}")
endfunction()

# out: value as a JSON string.
function(json_quote out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# out: a GUID as it compares: upper case, without braces.
function(guid_key out guid)
  string(TOUPPER "${guid}" guid)
  string(REGEX REPLACE "^{(.*)}$" "\\1" guid "${guid}")
  set(${out} "${guid}" PARENT_SCOPE)
endfunction()

foreach(var PART OUT LIBRARY)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "FacetManifest.cmake: -D${var}=... is missing")
  endif()
endforeach()
if(NOT PLATFORM)
  set(PLATFORM linux)
endif()
string(REPLACE "|" ";" CLASSES "${CLASSES}")
string(REPLACE "|" ";" CLASSES_FILES "${CLASSES_FILES}")

file(READ "${PART}" doc)
string(JSON type ERROR_VARIABLE err TYPE "${doc}")
if(err)
  fail("not JSON: ${err}")
elseif(NOT type STREQUAL "OBJECT")
  fail("the hand-written part of a manifest is a JSON object, not ${type}")
endif()

# name and version: the module's, from facet_add_module() or the part.
foreach(field name version)
  string(TOUPPER ${field} arg)
  string(JSON have ERROR_VARIABLE missing GET "${doc}" ${field})
  if(missing)
    set(have "")
  endif()
  if(NOT "${${arg}}" STREQUAL "")
    if(NOT have STREQUAL "" AND NOT have STREQUAL "${${arg}}")
      fail("$.${field}: \"${have}\", but facet_add_module() says ${arg} \"${${arg}}\": "
           "say it in one place")
    endif()
    json_quote(value "${${arg}}")
    string(JSON doc SET "${doc}" ${field} "${value}")
  elseif(have STREQUAL "" AND REQUIRE_MODULE)
    fail("no module ${field}: a cross build cannot ask the module, so give facet_add_module() "
         "${arg}, or \"${field}\" in this file")
  endif()
endforeach()

# The library, for this platform; another platform's stays.
json_quote(library "${LIBRARY}")
string(JSON type ERROR_VARIABLE missing TYPE "${doc}" library)
if(NOT missing AND type STREQUAL "OBJECT")
  string(JSON doc SET "${doc}" library ${PLATFORM} "${library}")
else()
  string(JSON doc SET "${doc}" library "${library}")
endif()

# The classes: each named coclass, over what the part said of it.
if(CLASSES)
  set(found "")
  set(declared "")
  foreach(file ${CLASSES_FILES})
    file(READ "${file}" text)
    string(JSON count ERROR_VARIABLE err LENGTH "${text}" classes)
    if(err)
      message(FATAL_ERROR "${file}: not what facet-idl --lang manifest writes: ${err}")
    endif()
    if(count GREATER 0)
      math(EXPR last "${count} - 1")
      foreach(i RANGE ${last})
        string(JSON name MEMBER "${text}" classes ${i})
        string(JSON cls GET "${text}" classes ${name})
        list(APPEND declared ${name})
        set(coclass_${name} "${cls}")
        set(coclass_${name}_file "${file}")
      endforeach()
    endif()
  endforeach()
  string(JSON old ERROR_VARIABLE missing GET "${doc}" classes)
  if(missing)
    set(old "[]")
  endif()
  string(JSON old_count LENGTH "${old}")
  set(classes "[]")
  set(n 0)
  foreach(name ${CLASSES})
    if(NOT DEFINED coclass_${name})
      string(JOIN ", " declared ${declared})
      fail("facet_add_module() CLASSES names coclass ${name}, which no IDL file of the module "
           "declares (it declares: ${declared}), of the facet_idl() targets given with IDL")
    endif()
    set(cls "${coclass_${name}}")
    string(JSON clsid GET "${cls}" clsid)
    guid_key(key "${clsid}")
    # The part's class of the same clsid keeps its other fields.
    if(old_count GREATER 0)
      math(EXPR last "${old_count} - 1")
      foreach(i RANGE ${last})
        string(JSON other ERROR_VARIABLE err GET "${old}" ${i} clsid)
        guid_key(other "${other}")
        if(NOT err AND other STREQUAL key)
          string(JSON merged GET "${old}" ${i})
          string(JSON members LENGTH "${cls}")
          math(EXPR lastm "${members} - 1")
          foreach(m RANGE ${lastm})
            string(JSON field MEMBER "${cls}" ${m})
            string(JSON value GET "${cls}" ${field})
            string(JSON ftype TYPE "${cls}" ${field})
            if(ftype STREQUAL "STRING")
              json_quote(value "${value}")
            endif()
            string(JSON merged SET "${merged}" ${field} "${value}")
          endforeach()
          set(cls "${merged}")
          break()
        endif()
      endforeach()
    endif()
    string(JSON classes SET "${classes}" ${n} "${cls}")
    math(EXPR n "${n} + 1")
  endforeach()
  string(JSON doc SET "${doc}" classes "${classes}")
endif()

set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL "${doc}\n")
  file(WRITE "${OUT}" "${doc}\n")
endif()
