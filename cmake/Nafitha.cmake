# Helpers shared by every module.

# Warnings as errors for project code only.
function(nafitha_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    # GCC 12 reports false positives inside libstdc++ (std::string, std::variant) at -O2 and above.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endfunction()

# nafitha_library(<target> SOURCES ... [DEPS ...]) — one module, one library target. Includes are relative
# to the repository root.
function(nafitha_library target)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  target_compile_definitions(${target} PUBLIC
    NAFITHA_VERSION="${PROJECT_VERSION}"
    NAFITHA_SOURCE_ASSETS_DIR="${PROJECT_SOURCE_DIR}/assets")
  nafitha_warnings(${target})
endfunction()

# nafitha_executable(<target> SOURCES ... [DEPS ...]) — lands in <build>/bin/.
function(nafitha_executable target)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  nafitha_warnings(${target})
endfunction()

# nafitha_test(<name> SOURCES ... [DEPS ...]) — a Catch2 v2 test executable under <build>/tests/, every
# TEST_CASE registered with CTest. "-w NoTests" makes a spec that matches nothing fail instead of pass.
# nafitha_test_pg_dir(<var>) — the folder of the PostgreSQL cluster that the CTest fixture `postgresql`
# (tests/support) starts for one run; short, because a Unix socket path must fit in 107 bytes.
function(nafitha_test_pg_dir var)
  string(MD5 pg_hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${pg_hash}" 0 10 pg_hash)
  set(${var} "/tmp/nafitha-pg-fixture-${pg_hash}" PARENT_SCOPE)
endfunction()

# Every test labelled "untrusted" (parsers of untrusted input), built by one target.
if(NOT TARGET untrusted_tests)
  add_custom_target(untrusted_tests)
endif()

# POSTGRESQL: the tests use the run's shared PostgreSQL cluster (tests/support/pg_cluster.h).
function(nafitha_test name)
  cmake_parse_arguments(ARG "POSTGRESQL" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain)
  target_compile_definitions(${name} PRIVATE
    NAFITHA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    NAFITHA_BINARY_DIR="${CMAKE_BINARY_DIR}")
  nafitha_warnings(${name})
  set(props TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "NAFITHA_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
  if(ARG_POSTGRESQL)
    list(APPEND props FIXTURES_REQUIRED postgresql)
  endif()
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  # Tests of parsers of untrusted input: CI also builds and runs them with ASan+UBSan (installer/dev test).
  if("untrusted" IN_LIST ARG_LABELS)
    add_dependencies(untrusted_tests ${name})
  endif()
  catch_discover_tests(${name} EXTRA_ARGS -w NoTests PROPERTIES ${props})
endfunction()

# nafitha_bench(<name> SOURCES ... [DEPS ...]) — a benchmark under <build>/bench/, run by installer/dev bench.
function(nafitha_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE NAFITHA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  nafitha_warnings(${name})
endfunction()
