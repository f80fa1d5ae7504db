{{/* Chart name, truncated to the 63 characters Kubernetes allows in a name. */}}
{{- define "hubsync-worker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart>, or the release name when it already contains the chart name. */}}
{{- define "hubsync-worker.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "hubsync-worker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "hubsync-worker.labels" -}}
helm.sh/chart: {{ include "hubsync-worker.chart" . }}
{{ include "hubsync-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels (stable across upgrades). */}}
{{- define "hubsync-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hubsync-worker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* ServiceAccount name. */}}
{{- define "hubsync-worker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hubsync-worker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the credentials are read from. */}}
{{- define "hubsync-worker.secretName" -}}
{{- default (include "hubsync-worker.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Image reference: registry/repository@digest, or :tag (default appVersion). */}}
{{- define "hubsync-worker.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}{{ $repository = printf "%s/%s" .Values.image.registry .Values.image.repository }}{{ end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Checks that stop a rendering which could only fail at run time. */}}
{{- define "hubsync-worker.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.redis.host) }}
{{- fail "replicaCount > 1 needs redis.host: replicas must share one Redis (the embedded store lives inside one pod)" }}
{{- end }}
{{- if and .Values.secrets.adminToken (lt (len .Values.secrets.adminToken) 16) }}
{{- fail "secrets.adminToken must be at least 16 characters" }}
{{- end }}
{{- if and (or .Values.resync.enabled .Values.resync.schedule) (not .Values.redis.host) }}
{{- fail "resync.enabled and resync.schedule need redis.host: the resync Job runs in its own pod, and without a shared Redis it has no cluster-wide lock and no checkpoint to resume from" }}
{{- end }}
{{- if and .Values.redis.host .Values.redis.auth (not .Values.existingSecret) (not .Values.secrets.redisPassword) }}
{{- fail "redis.auth needs the password: set secrets.redisPassword, or existingSecret holding the key existingSecretKeys.redisPassword (or redis.auth=false for a Redis without AUTH)" }}
{{- end }}
{{- if and (not .Values.redis.host) (not .Values.redis.allowEmbeddedStore) }}
{{- fail "redis.host is empty: set it to your Redis, or set redis.allowEmbeddedStore=true (with replicaCount=1) to try the worker on the embedded store, which loses the queue and the checkpoints on every restart" }}
{{- end }}
{{- if and .Values.admin.exposeThroughIngress (gt (int .Values.management.port) 0) }}
{{- fail "admin.exposeThroughIngress needs management.port=0: with a management port the admin endpoints answer only there, and the Ingress never routes to it" }}
{{- end }}
{{- end }}

{{/*
Environment shared by the Deployment, the resync Job and the CronJob. Credentials come only through secretKeyRef; the Redis
password is a setting of its own (Redis__Password), so it never appears in a manifest and may hold any character.
*/}}
{{- define "hubsync-worker.env" -}}
{{- $secret := include "hubsync-worker.secretName" . }}
{{- $keys := .Values.existingSecretKeys }}
- name: HubSpot__AccessToken
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.hubspotAccessToken }}
{{- if .Values.webhooks.enabled }}
- name: Webhooks__ClientSecret
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.webhookClientSecret }}
{{- if and $keys.webhookPreviousClientSecret (or .Values.existingSecret .Values.secrets.webhookPreviousClientSecret) }}
# Accepted as well as the client secret (a rotation); optional in your own Secret, so the key can be removed once it is over.
- name: Webhooks__ClientSecrets__0
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.webhookPreviousClientSecret }}
      optional: {{ not (empty .Values.existingSecret) }}
{{- end }}
{{- end }}
{{- if and $keys.adminToken (or .Values.existingSecret .Values.secrets.adminToken) }}
- name: Admin__Token
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.adminToken }}
      optional: {{ not (empty .Values.existingSecret) }}
{{- end }}
{{- if .Values.redis.host }}
{{- $connection := printf "%s:%d,ssl=%t,abortConnect=false" .Values.redis.host (int .Values.redis.port) .Values.redis.tls }}
{{- if .Values.redis.auth }}
- name: Redis__Password
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.redisPassword }}
{{- end }}
- name: Redis__ConnectionString
  value: {{ $connection | quote }}
{{- with .Values.redis.user }}
- name: Redis__User
  value: {{ . | quote }}
{{- end }}
{{- if .Values.redis.caSecret }}
- name: Redis__CaCertificatePath
  value: /etc/hubsync/redis-ca/{{ .Values.redis.caSecretKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* Settings and policy from the ConfigMap, and the writable /tmp of a read-only root. */}}
{{- define "hubsync-worker.envFrom" -}}
- configMapRef:
    name: {{ include "hubsync-worker.fullname" . }}
{{- end }}

{{- define "hubsync-worker.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and .Values.redis.host .Values.redis.caSecret }}
- name: redis-ca
  mountPath: /etc/hubsync/redis-ca
  readOnly: true
{{- end }}
{{- if .Values.policy }}
- name: policy
  mountPath: /etc/hubsync
  readOnly: true
{{- end }}
{{- end }}

{{- define "hubsync-worker.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if and .Values.redis.host .Values.redis.caSecret }}
- name: redis-ca
  secret:
    secretName: {{ .Values.redis.caSecret }}
    items:
      - key: {{ .Values.redis.caSecretKey }}
        path: {{ .Values.redis.caSecretKey }}
{{- end }}
{{- if .Values.policy }}
- name: policy
  configMap:
    name: {{ include "hubsync-worker.fullname" . }}
    items:
      - key: policy.json
        path: policy.json
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when the settings, the policy or the rendered Secret change. */}}
{{- define "hubsync-worker.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/*
The resync pod spec, shared by the one-shot Job and the CronJob: the `resync` verb (which waits for the cluster-wide Redis lock,
so it never runs beside another resync), the same image, settings and credentials as the worker.
*/}}
{{- define "hubsync-worker.resyncPodSpec" -}}
serviceAccountName: {{ include "hubsync-worker.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
restartPolicy: Never
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
containers:
  - name: resync
    image: {{ include "hubsync-worker.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args:
      - resync
      {{- if .Values.resync.dryRun }}
      - --dry-run
      {{- end }}
    envFrom:
      {{- include "hubsync-worker.envFrom" . | nindent 6 }}
    env:
      {{- include "hubsync-worker.env" . | nindent 6 }}
    securityContext:
      {{- toYaml .Values.containerSecurityContext | nindent 6 }}
    resources:
      {{- toYaml .Values.resync.resources | nindent 6 }}
    volumeMounts:
      {{- include "hubsync-worker.volumeMounts" . | nindent 6 }}
volumes:
  {{- include "hubsync-worker.volumes" . | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
A value as the text the worker reads: whole numbers (which YAML hands to templates as floats) without an exponent, others as is.
*/}}
{{- define "hubsync-worker.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- end }}
