# Compiler warnings shared by every target of the project.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
  # Designated initialisers deliberately name only the fields that differ from the defaults.
  -Wno-missing-field-initializers)
if(CTWATCH_WERROR)
  add_compile_options(-Werror)
endif()
