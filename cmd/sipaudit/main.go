// Command sipaudit reads SIP traffic from captures, rebuilds every dialog
// and authentication exchange, and reports what is wrong with them.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
