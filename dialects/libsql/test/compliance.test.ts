import { complianceSuites, runCompliance } from '@athanor/testing'
import { resolveBackend } from '../../../test/support/backends.js'
import '@athanor/libsql'

runCompliance({ backend: 'libsql', resolve: () => resolveBackend('libsql') }, complianceSuites)
