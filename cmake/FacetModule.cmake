# FacetModule.cmake - build a Facet module and its manifest.
#
#   facet_add_module(target source... [MANIFEST part.facet.json]
#                    [IDL idl_target...] [CLASSES coclass...]
#                    [NAME module.name] [VERSION x.y.z])
#
# Makes target, a shared library loaded at run time (a CMake MODULE) with
# no "lib" prefix, whose names are hidden but facet_module_entry, and which
# sees Facet's headers (Facet::headers; it links nothing of Facet's). IDL
# names targets of facet_idl() that the module links.
#
# With MANIFEST, the build writes <module>.facet.json next to the module,
# from the hand-written part (requires, permissions, description,
# isolation; any field of docs/manifest.md), whose fields all stay:
#
# - Where the build can run the module, `facet inspect --write-manifest`
#   merges into it what the module says of itself (name, version, api
#   level, library, classes with their interfaces), naming each field it
#   changed.
# - Where it cannot (a cross build: CMAKE_CROSSCOMPILING, MinGW on Linux),
#   the classes are the coclasses that CLASSES names, as the IDL files of
#   the IDL targets declare them (clsid, contract from the progid,
#   threading, interfaces: facet-idl --lang manifest), and the module's
#   name and version are NAME and VERSION, or the part's "name" and
#   "version".
#
# Both builds start from the same text: CLASSES, NAME and VERSION are
# written into it before the module is asked, so a module that disagrees
# with its IDL is named in the build's output, and one whose name is not
# NAME fails the build.

set(FACET_MANIFEST_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/FacetManifest.cmake"
    CACHE INTERNAL "the script that writes a manifest from its part and coclasses")

function(facet_add_module target)
  cmake_parse_arguments(M "" "MANIFEST;NAME;VERSION" "IDL;CLASSES" ${ARGN})
  add_library(${target} MODULE ${M_UNPARSED_ARGUMENTS})
  set_target_properties(${target} PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET facet_headers)
    target_link_libraries(${target} PRIVATE facet_headers)
  else()
    target_link_libraries(${target} PRIVATE Facet::headers)
  endif()
  set(classes_files)
  foreach(idl ${M_IDL})
    if(NOT TARGET ${idl})
      message(FATAL_ERROR "facet_add_module(${target}): IDL ${idl} is not a target; "
                          "make it with facet_idl(TARGET ${idl} FILES ...) first")
    endif()
    target_link_libraries(${target} PRIVATE ${idl})
    get_target_property(files ${idl} FACET_IDL_CLASSES)
    if(files)
      list(APPEND classes_files ${files})
    endif()
  endforeach()
  if(COMMAND facet_target_warnings)
    facet_target_warnings(${target})
  endif()
  if(NOT M_MANIFEST)
    if(M_CLASSES OR M_NAME OR M_VERSION)
      message(FATAL_ERROR "facet_add_module(${target}): CLASSES, NAME and VERSION describe "
                          "the manifest, and there is none: add MANIFEST part.facet.json")
    endif()
    return()
  endif()
  if(M_CLASSES AND NOT classes_files)
    message(FATAL_ERROR "facet_add_module(${target}): CLASSES ${M_CLASSES} needs the IDL "
                        "targets that declare them: IDL idl_target...")
  endif()
  if(CMAKE_CROSSCOMPILING AND NOT M_CLASSES)
    message(FATAL_ERROR "facet_add_module(${target}): a cross build cannot run the module to "
                        "ask it its classes; name its coclasses with CLASSES, and the "
                        "facet_idl() targets that declare them with IDL")
  endif()
  get_filename_component(part ${M_MANIFEST} ABSOLUTE)
  set(manifest "$<TARGET_FILE_DIR:${target}>/$<TARGET_FILE_BASE_NAME:${target}>.facet.json")
  if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
    set(platform windows)
  elseif(APPLE)
    set(platform macos)
  else()
    set(platform linux)
  endif()
  string(JOIN "|" classes ${M_CLASSES})
  string(JOIN "|" classes_files ${classes_files})
  set(seed ${CMAKE_COMMAND} -DPART=${part} -DOUT=${manifest} -DLIBRARY=$<TARGET_FILE_NAME:${target}>
      -DPLATFORM=${platform} -DNAME=${M_NAME} -DVERSION=${M_VERSION} -DCLASSES=${classes}
      -DCLASSES_FILES=${classes_files})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${part})
  if(CMAKE_CROSSCOMPILING)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${seed} -DREQUIRE_MODULE=ON -P ${FACET_MANIFEST_SCRIPT}
      COMMENT "manifest of ${target}: ${M_MANIFEST} and the coclasses ${M_CLASSES}"
      VERBATIM)
    return()
  endif()
  if(TARGET facet-tool)
    set(tool facet-tool)
    add_dependencies(${target} facet-tool facet-probe)
  else()
    set(tool Facet::tool)
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${seed} -P ${FACET_MANIFEST_SCRIPT}
    COMMAND ${tool} inspect --write-manifest $<TARGET_FILE:${target}>
    COMMENT "manifest of ${target}: ${M_MANIFEST} and what the module says"
    VERBATIM)
endfunction()
