// The athanor command run from TypeScript sources (see athanor.js).
import { main } from '../src/cli.js'

process.exitCode = await main(process.argv.slice(2))
