# sandbox_add_test: registers a CTest test whose command never runs as root.
#
#   sandbox_add_test(NAME <name> USER <test|norange|any> COMMAND <command> [<arg>...]
#                    [TIMEOUT <seconds>]            # default 300
#                    [ENVIRONMENT <VAR=value>...]   # added to the test's clean environment
#                    [LABELS <label>...])
#
# The command is wrapped in tests/lib/run-as.sh: when CTest runs as root it runs the command as
# the test user of that role (test: sandbox-test, which has a /etc/subuid range; norange:
# sandbox-norange, which has none; any: sandbox-test), with a clean environment, a fresh
# TMPDIR and XDG_CACHE_HOME, and the working directory set to a scratch directory of its own.
# As a normal user it runs the command as that user, or skips it (exit 77) when the user does
# not fit the role. Exit status 77 means "skipped" (SKIP_RETURN_CODE).
#
# Every test also gets, in its environment: SANDBOX_BIN (the launcher, build/sandbox),
# SANDBOX_BUILD_DIR, SANDBOX_SRC_DIR, SANDBOX_PROBE (the static probe), SANDBOX_ALPINE (the
# Alpine minirootfs copied into the build tree, which may be absent), SANDBOX_VERSION,
# SANDBOX_TEST_NAME and SANDBOX_ROLE. Generator expressions work in COMMAND and ENVIRONMENT
# (e.g. $<TARGET_FILE:my_unit_test>). Everything the command touches must be readable by the
# test users: tools/test.sh makes the source and build trees world-readable.
#
# Usable from any directory of the project after include(${PROJECT_SOURCE_DIR}/tests/SandboxTest.cmake).
include_guard(GLOBAL)

function(sandbox_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 T "" "NAME;USER;TIMEOUT" "COMMAND;ENVIRONMENT;LABELS")
  if(T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sandbox_add_test: unknown arguments: ${T_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT T_NAME OR NOT T_COMMAND)
    message(FATAL_ERROR "sandbox_add_test: NAME and COMMAND are required")
  endif()
  if(NOT T_USER MATCHES "^(test|norange|any)$")
    message(FATAL_ERROR "sandbox_add_test(${T_NAME}): USER must be test, norange or any")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()

  get_property(common_env GLOBAL PROPERTY SANDBOX_TEST_ENVIRONMENT)
  set(env_args "")
  foreach(e IN LISTS common_env T_ENVIRONMENT)
    list(APPEND env_args --env "${e}")
  endforeach()
  list(APPEND env_args --env "SANDBOX_TEST_NAME=${T_NAME}")

  add_test(NAME ${T_NAME}
           COMMAND bash "${SANDBOX_TEST_LIB_DIR}/run-as.sh" ${env_args} ${T_USER} ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT}
                                            LABELS "user-${T_USER};${T_LABELS}")
endfunction()

set(SANDBOX_TEST_LIB_DIR "${CMAKE_CURRENT_LIST_DIR}/lib" CACHE INTERNAL "tests/lib")
# The variables every test gets; tests/CMakeLists.txt adds the image paths.
set_property(GLOBAL APPEND PROPERTY SANDBOX_TEST_ENVIRONMENT
             "SANDBOX_BIN=${PROJECT_BINARY_DIR}/sandbox"
             "SANDBOX_BUILD_DIR=${PROJECT_BINARY_DIR}"
             "SANDBOX_SRC_DIR=${PROJECT_SOURCE_DIR}"
             "SANDBOX_VERSION=${PROJECT_VERSION}")
