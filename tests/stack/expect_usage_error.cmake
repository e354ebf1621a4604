# nic_usage_error_tests(TARGET PREFIX CASE...): one ctest per CASE "REGEX=ARGS", each running TARGET
# with ARGS through expect_usage_error.sh, which wants exit status 2 and stderr matching REGEX.
# Included by the apps and bench programs of the stack, so each lists only its own bad options.
function(nic_usage_error_tests target prefix)
  set(_i 0)
  foreach(case IN LISTS ARGN)
    string(FIND "${case}" "=" _eq)
    string(SUBSTRING "${case}" 0 ${_eq} _regex)
    math(EXPR _eq "${_eq} + 1")
    string(SUBSTRING "${case}" ${_eq} -1 _args)
    separate_arguments(_args)
    add_test(NAME ${prefix}_${_i}
             COMMAND sh ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/expect_usage_error.sh "${_regex}" $<TARGET_FILE:${target}> ${_args})
    set_tests_properties(${prefix}_${_i} PROPERTIES LABELS stack)
    math(EXPR _i "${_i} + 1")
  endforeach()
endfunction()
