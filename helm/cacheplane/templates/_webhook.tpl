{{/*
The validating admission webhook (values: webhook.*; docs/admission-webhook.md). Names, and the
pieces of the operator Deployment it needs (env, port, volume), included there one line each.
*/}}
{{- define "cacheplane.webhook.enabled" -}}
{{- if and .Values.webhook.enabled .Values.operator.enabled -}}true{{- end -}}
{{- end -}}

{{- define "cacheplane.webhook.serviceName" -}}
{{- printf "%s-webhook" (include "cacheplane.fullname" .) -}}
{{- end -}}

{{- define "cacheplane.webhook.secretName" -}}
{{- printf "%s-webhook-tls" (include "cacheplane.fullname" .) -}}
{{- end -}}

{{/* Cluster-scoped, so it carries the release namespace. */}}
{{- define "cacheplane.webhook.configName" -}}
{{- printf "%s-%s-webhook" .Release.Namespace (include "cacheplane.fullname" .) -}}
{{- end -}}

{{- define "cacheplane.webhook.env" -}}
{{- if include "cacheplane.webhook.enabled" . }}
- name: CACHEPLANE_OPERATOR_ADMISSION_ENABLED
  value: "true"
- name: CACHEPLANE_OPERATOR_ADMISSION_PORT
  value: {{ .Values.webhook.port | quote }}
- name: CACHEPLANE_OPERATOR_ADMISSION_CERT_FILE
  value: /etc/cacheplane/webhook/tls.crt
- name: CACHEPLANE_OPERATOR_ADMISSION_KEY_FILE
  value: /etc/cacheplane/webhook/tls.key
- name: CACHEPLANE_OPERATOR_ADMISSION_CERT_RELOAD_INTERVAL
  value: {{ printf "%ds" (int .Values.webhook.certReloadSeconds) | quote }}
{{- end }}
{{- end -}}

{{- define "cacheplane.webhook.port" -}}
{{- if include "cacheplane.webhook.enabled" . }}
# Validating admission webhook (HTTPS, POST /validate-cacheplane-io-v1alpha1).
- name: webhook
  containerPort: {{ .Values.webhook.port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{- define "cacheplane.webhook.volumeMount" -}}
{{- if include "cacheplane.webhook.enabled" . }}
- name: webhook-tls
  mountPath: /etc/cacheplane/webhook
  readOnly: true
{{- end }}
{{- end -}}

{{- define "cacheplane.webhook.volume" -}}
{{- if include "cacheplane.webhook.enabled" . }}
- name: webhook-tls
  secret:
    secretName: {{ include "cacheplane.webhook.secretName" . }}
    defaultMode: 0440
{{- end }}
{{- end -}}
