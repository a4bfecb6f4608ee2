# The architecture check (docs/architecture.md): every build fails if a library's code includes a
# header of a library it does not link directly, or another library's private header.
#
# percept_library(NAME SOURCES files... DEPENDS targets... [PRIVATE_DEPENDS targets...]) declares
# the library percept_NAME (alias percept::NAME) of the current folder: public headers under
# include/percept/NAME/, private ones beside its sources, and registers it for the check.
function(percept_library name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(percept_${name} ${L_SOURCES})
  add_library(percept::${name} ALIAS percept_${name})
  target_include_directories(percept_${name} PUBLIC include PRIVATE .)
  target_link_libraries(percept_${name} PUBLIC ${L_DEPENDS} PRIVATE ${L_PRIVATE_DEPENDS})
  set_property(GLOBAL APPEND PROPERTY PERCEPT_CHECKED_TARGETS percept_${name})
  if(PERCEPT_SANITIZE)
    target_compile_options(percept_${name} PRIVATE ${PERCEPT_SANITIZE_FLAGS})
  endif()
endfunction()

# percept_checked_executable(TARGET) registers an executable for the check.
# It is instrumented like the libraries under PERCEPT_SANITIZE, unless UNINSTRUMENTED (the test
# files: what they test is instrumented).
function(percept_checked_executable target)
  cmake_parse_arguments(E "UNINSTRUMENTED" "" "" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY PERCEPT_CHECKED_TARGETS ${target})
  if(PERCEPT_SANITIZE AND NOT E_UNINSTRUMENTED)
    target_compile_options(${target} PRIVATE ${PERCEPT_SANITIZE_FLAGS})
  endif()
endfunction()

# percept_check_architecture([TARGETS...]), TARGETS defaulting to every one registered above, writes, for each target, the folder it owns, its public
# include folder and its direct project dependencies to a manifest, and adds the target
# `architecture`, built by default, that runs cmake/check_includes.cmake over that manifest.
function(percept_check_architecture)
  cmake_parse_arguments(A "" "DOC" "" ${ARGN})
  set(checked ${A_UNPARSED_ARGUMENTS})
  if(NOT checked)
    get_property(checked GLOBAL PROPERTY PERCEPT_CHECKED_TARGETS)
  endif()
  set(manifest "")
  foreach(target IN LISTS checked)
    get_target_property(dir ${target} SOURCE_DIR)
    get_target_property(type ${target} TYPE)
    set(files "")
    if(type STREQUAL "EXECUTABLE")
      # An executable owns only its own sources (server/main.cc sits above the server libraries).
      get_target_property(sources ${target} SOURCES)
      foreach(s IN LISTS sources)
        if(NOT IS_ABSOLUTE "${s}")
          set(s "${dir}/${s}")
        endif()
        list(APPEND files "${s}")
      endforeach()
    endif()
    set(deps "")
    get_target_property(links ${target} LINK_LIBRARIES)
    foreach(l IN LISTS links)
      if(TARGET ${l})
        get_target_property(real ${l} ALIASED_TARGET)
        if(real)
          set(l ${real})
        endif()
        if(l IN_LIST checked)
          list(APPEND deps ${l})
        endif()
      endif()
    endforeach()
    # Folders of the project the target put on its own include path (the tests: http's and
    # reports' internals, and their support folder).
    set(paths "")
    get_target_property(dirs ${target} INCLUDE_DIRECTORIES)
    foreach(d IN LISTS dirs)
      if(NOT d MATCHES "^\\$<" AND NOT d STREQUAL "${dir}/include" AND NOT d STREQUAL "${dir}"
         AND NOT d STREQUAL "${dir}/."
         AND d MATCHES "^${PROJECT_SOURCE_DIR}/")
        list(APPEND paths "${d}")
      endif()
    endforeach()
    string(REPLACE ";" "," deps "${deps}")
    string(REPLACE ";" "," files "${files}")
    string(REPLACE ";" "," paths "${paths}")
    string(APPEND manifest "${target}|${dir}|${deps}|${files}|${paths}\n")
  endforeach()
  file(WRITE ${CMAKE_BINARY_DIR}/architecture.manifest "${manifest}")
  set(doc_arg "")
  if(A_DOC)
    set(doc_arg -DDOC=${A_DOC})
  endif()
  add_custom_target(architecture ALL
    COMMAND ${CMAKE_COMMAND} -DMANIFEST=${CMAKE_BINARY_DIR}/architecture.manifest ${doc_arg}
            -P ${PROJECT_SOURCE_DIR}/cmake/check_includes.cmake
    COMMENT "Checking that each library includes only what it depends on (docs/architecture.md)"
    VERBATIM)
endfunction()
