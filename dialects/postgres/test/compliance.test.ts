import { complianceSuites, runCompliance } from '@athanor/testing'
import { resolveBackend } from '../../../test/support/backends.js'
import '@athanor/postgres'

runCompliance({ backend: 'postgres', resolve: () => resolveBackend('postgres') }, complianceSuites)
