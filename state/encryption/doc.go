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

// Package encryption seals what slipway stores — state, its backup, its
// intent journal, the fallback state file and saved plans — as the
// `encryption` block of the slipway block says, in the manner of
// OpenTofu's state encryption: key providers (pbkdf2, kubernetes_secret)
// give key material, methods (aes_gcm, unencrypted) seal with it, and the
// state and plan targets name the method that seals and the fallbacks
// tried when it cannot open what is stored.
//
// A sealed document is one header line and the ciphertext:
//
//	slipway-sealed/1 {"method":"method.aes_gcm.main","key_provider":"key_provider.pbkdf2.main","key":{...},"salt":"..."}\n
//	NONCE CIPHERTEXT
//
// The header names the method and key provider that sealed it and holds
// what the key provider needs to make the key material again (a pbkdf2
// salt and iteration count, never a key). The AES-256 key is derived from
// that material with HKDF-SHA-256 and the header's salt, which is new in
// every process, so no two processes seal under the same key; the whole
// header line is the additional authenticated data of AES-GCM, so it
// cannot be changed unnoticed.
//
// What must stay true:
//   - Seal uses the target's method, never a fallback; Open tries the
//     method, then each fallback, and refuses a key that opens nothing
//     with ErrWrongKey, never returning unauthenticated bytes.
//   - Plain (unsealed) bytes pass Open only when the target lists the
//     unencrypted method, or the Sealer was made to accept them for a
//     migration (AcceptingPlain, Decrypting).
//   - Nothing secret is written into a header or an error: no passphrase,
//     no key material, no plain text.
//   - A Sealer may be used from several goroutines.
//
// It imports lang for the configuration's model, state for the Sealer
// contract it implements, and client-go for kubernetes_secret.
package encryption
