// check_version.ts — print the library's version, like `sqlalchemy.__version__`.
import { VERSION } from '@athanor/core'
import '@athanor/libsql'

console.log(`Athanor version: ${VERSION}`)
