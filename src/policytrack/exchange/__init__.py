"""Exchange: entries out (export) and in (readers, row check, importer), merged by uuid."""
