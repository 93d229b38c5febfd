// Copyright 2026 The slipway Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package state

import (
	"bytes"
	"context"
	"errors"
)

// SealedPrefix starts every sealed document, whatever its method: a
// Sealer's output begins with it, followed by the sealed format's version
// and a header naming what sealed it. Nothing else slipway stores begins
// with it, so a reader tells sealed bytes from plain ones without a key.
const SealedPrefix = "slipway-sealed/"

// IsSealed reports whether stored is sealed rather than a plain document.
func IsSealed(stored []byte) bool { return bytes.HasPrefix(stored, []byte(SealedPrefix)) }

// ErrEncrypted is the refusal to read sealed bytes without a Sealer: the
// configuration sets up no encryption for what was stored encrypted.
var ErrEncrypted = errors.New("it is encrypted, but the configuration sets up no encryption for it; " +
	"add the encryption block it was written with to the slipway block")

// Seal returns plain sealed by s, or plain itself when s is nil.
func Seal(s Sealer, plain []byte) ([]byte, error) {
	if s == nil {
		return plain, nil
	}
	return s.Seal(plain)
}

// Open returns stored opened by s. With no Sealer, plain bytes are
// returned as they are and sealed ones are refused with ErrEncrypted.
func Open(s Sealer, stored []byte) ([]byte, error) {
	if s != nil {
		return s.Open(stored)
	}
	if IsSealed(stored) {
		return nil, ErrEncrypted
	}
	return stored, nil
}

// A Resealer is a Backend that can store again what it holds — the state,
// any backup and its journal — sealed by its Sealer as it now is, with
// nothing else changed: no serial moves. `slipway state encrypt` and
// `slipway state decrypt` use it, under the state lock, to move stored
// state into and out of encryption and onto a new key. It opens
// everything before it writes anything, so a key that cannot open one of
// them leaves all of them as they were.
type Resealer interface {
	Reseal(ctx context.Context) error
}
