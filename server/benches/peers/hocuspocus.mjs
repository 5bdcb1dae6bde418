// Starts @hocuspocus/server with its defaults (no extensions, documents in memory) on PORT, for
// scripts/bench. Prints "listening" once it accepts connections.
import { Server } from '@hocuspocus/server'

const server = new Server({ port: Number(process.env.PORT), address: '127.0.0.1', quiet: true })
await server.listen()
console.log('listening')
