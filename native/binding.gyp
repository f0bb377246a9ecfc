{
  "targets": [
    {
      "target_name": "pow",
      "sources": ["pow.c", "sha256-portable.c", "shani.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11"] },
      "defines": []
    }
  ]
}
