# Generates a C++ file holding every schema/NNN_name.sql as a Migration (run at build time).
# Inputs: SCHEMA_DIR, OUTPUT.
file(GLOB files "${SCHEMA_DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name "${f}" NAME_WE)
  string(SUBSTRING "${name}" 0 3 version)
  math(EXPR version "${version}")
  file(READ "${f}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"ctwsql(${sql})ctwsql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from schema/*.sql by src/store/embed_schema.cmake. Do not edit.\n"
"#include \"store/migrations.h\"\n\n"
"namespace ctwatch {\n\n"
"const std::vector<Migration>& EmbeddedMigrations() {\n"
"  static const std::vector<Migration> migrations = {\n${body}  };\n"
"  return migrations;\n}\n\n}  // namespace ctwatch\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
