// Package cliusage gives alice, bob and edl's commands one way to answer
// -h and a bad flag: a usage line and an example at the top, the flags in
// groups (transport and security, the spec, outputs, ...), each with the
// kind of value it takes (unsigned integers say so); and for a bad value,
// one line naming the flag and what it takes, then where the help is,
// instead of the whole list scrolling the error away.
package cliusage
