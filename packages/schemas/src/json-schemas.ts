// Generated from the TypeBox schemas of flow.ts, tenant.ts and config.ts by schemas.test.ts; do not edit.
// Regenerate: UPDATE_GOLDEN=1 npx vitest run src/schemas.test.ts (in packages/schemas). At run time these
// plain copies stand in for the TypeBox ones, so no command pays for loading TypeBox (~0.15 s at start).

/** A JSON Schema as a plain object (TypeBox's symbol-keyed metadata left out). */
export type JsonSchema = { readonly [key: string]: unknown };

export const FlowSchema: JsonSchema = {
  "additionalProperties": false,
  "$id": "Flow",
  "type": "object",
  "required": [
    "id",
    "namespace",
    "tasks"
  ],
  "properties": {
    "id": {
      "pattern": "^[a-zA-Z0-9][a-zA-Z0-9._-]*$",
      "minLength": 1,
      "maxLength": 100,
      "type": "string"
    },
    "namespace": {
      "pattern": "^[a-z0-9][a-z0-9._-]*$",
      "minLength": 1,
      "maxLength": 150,
      "type": "string"
    },
    "revision": {
      "minimum": 1,
      "type": "integer"
    },
    "description": {
      "type": "string"
    },
    "labels": {
      "description": "Labels as a list of {key, value} or as a map",
      "anyOf": [
        {
          "type": "array",
          "items": {
            "additionalProperties": false,
            "type": "object",
            "required": [
              "key",
              "value"
            ],
            "properties": {
              "key": {
                "minLength": 1,
                "type": "string"
              },
              "value": {
                "anyOf": [
                  {
                    "type": "string"
                  },
                  {
                    "type": "number"
                  },
                  {
                    "type": "boolean"
                  }
                ]
              }
            }
          }
        },
        {
          "type": "object",
          "patternProperties": {
            "^(.*)$": {
              "anyOf": [
                {
                  "type": "string"
                },
                {
                  "type": "number"
                },
                {
                  "type": "boolean"
                }
              ]
            }
          }
        }
      ]
    },
    "inputs": {
      "type": "array",
      "items": {
        "additionalProperties": true,
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "id": {
            "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
            "type": "string"
          },
          "name": {
            "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
            "type": "string"
          },
          "type": {
            "anyOf": [
              {
                "const": "STRING",
                "type": "string"
              },
              {
                "const": "ENUM",
                "type": "string"
              },
              {
                "const": "SELECT",
                "type": "string"
              },
              {
                "const": "INT",
                "type": "string"
              },
              {
                "const": "FLOAT",
                "type": "string"
              },
              {
                "const": "BOOLEAN",
                "type": "string"
              },
              {
                "const": "BOOL",
                "type": "string"
              },
              {
                "const": "DATETIME",
                "type": "string"
              },
              {
                "const": "DATE",
                "type": "string"
              },
              {
                "const": "TIME",
                "type": "string"
              },
              {
                "const": "DURATION",
                "type": "string"
              },
              {
                "const": "FILE",
                "type": "string"
              },
              {
                "const": "JSON",
                "type": "string"
              },
              {
                "const": "URI",
                "type": "string"
              },
              {
                "const": "SECRET",
                "type": "string"
              },
              {
                "const": "ARRAY",
                "type": "string"
              },
              {
                "const": "MULTISELECT",
                "type": "string"
              },
              {
                "const": "YAML",
                "type": "string"
              },
              {
                "const": "EMAIL",
                "type": "string"
              }
            ]
          },
          "required": {
            "type": "boolean"
          },
          "description": {
            "type": "string"
          },
          "displayName": {
            "type": "string"
          },
          "dependsOn": {}
        }
      }
    },
    "outputs": {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "id",
          "type",
          "value"
        ],
        "properties": {
          "id": {
            "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
            "type": "string"
          },
          "type": {
            "anyOf": [
              {
                "const": "STRING",
                "type": "string"
              },
              {
                "const": "ENUM",
                "type": "string"
              },
              {
                "const": "SELECT",
                "type": "string"
              },
              {
                "const": "INT",
                "type": "string"
              },
              {
                "const": "FLOAT",
                "type": "string"
              },
              {
                "const": "BOOLEAN",
                "type": "string"
              },
              {
                "const": "BOOL",
                "type": "string"
              },
              {
                "const": "DATETIME",
                "type": "string"
              },
              {
                "const": "DATE",
                "type": "string"
              },
              {
                "const": "TIME",
                "type": "string"
              },
              {
                "const": "DURATION",
                "type": "string"
              },
              {
                "const": "FILE",
                "type": "string"
              },
              {
                "const": "JSON",
                "type": "string"
              },
              {
                "const": "URI",
                "type": "string"
              },
              {
                "const": "SECRET",
                "type": "string"
              },
              {
                "const": "ARRAY",
                "type": "string"
              },
              {
                "const": "MULTISELECT",
                "type": "string"
              },
              {
                "const": "YAML",
                "type": "string"
              },
              {
                "const": "EMAIL",
                "type": "string"
              }
            ]
          },
          "value": {},
          "description": {
            "type": "string"
          },
          "displayName": {
            "type": "string"
          },
          "required": {
            "type": "boolean"
          }
        }
      }
    },
    "variables": {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {}
      }
    },
    "tasks": {
      "minItems": 1,
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "errors": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "finally": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "afterExecution": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "listeners": {
      "type": "array",
      "items": {
        "additionalProperties": true,
        "type": "object",
        "properties": {}
      }
    },
    "triggers": {
      "type": "array",
      "items": {
        "additionalProperties": true,
        "type": "object",
        "required": [
          "id",
          "type"
        ],
        "properties": {
          "id": {
            "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
            "minLength": 1,
            "maxLength": 256,
            "type": "string"
          },
          "type": {
            "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$",
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "disabled": {
            "anyOf": [
              {
                "type": "boolean"
              },
              {
                "type": "string"
              }
            ]
          },
          "conditions": {
            "type": "array",
            "items": {
              "additionalProperties": true,
              "type": "object",
              "required": [
                "type"
              ],
              "properties": {
                "type": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "pluginDefaults": {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string"
          },
          "forced": {
            "type": "boolean"
          },
          "values": {
            "type": "object",
            "patternProperties": {
              "^(.*)$": {}
            }
          }
        }
      }
    },
    "taskDefaults": {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string"
          },
          "forced": {
            "type": "boolean"
          },
          "values": {
            "type": "object",
            "patternProperties": {
              "^(.*)$": {}
            }
          }
        }
      }
    },
    "concurrency": {
      "additionalProperties": false,
      "type": "object",
      "required": [
        "limit"
      ],
      "properties": {
        "limit": {
          "minimum": 1,
          "type": "integer"
        },
        "behavior": {
          "anyOf": [
            {
              "const": "QUEUE",
              "type": "string"
            },
            {
              "const": "CANCEL",
              "type": "string"
            },
            {
              "const": "FAIL",
              "type": "string"
            }
          ]
        }
      }
    },
    "retry": {
      "additionalProperties": true,
      "type": "object",
      "properties": {}
    },
    "sla": {
      "type": "array",
      "items": {
        "additionalProperties": true,
        "type": "object",
        "required": [
          "id"
        ],
        "properties": {
          "id": {
            "type": "string"
          }
        }
      }
    },
    "disabled": {
      "type": "boolean"
    },
    "deleted": {
      "type": "boolean"
    },
    "workerGroup": {
      "additionalProperties": true,
      "type": "object",
      "properties": {}
    },
    "tenantId": {
      "type": "string"
    }
  }
};

export const TaskSchema: JsonSchema = {
  "$id": "Task",
  "additionalProperties": true,
  "type": "object",
  "required": [
    "id",
    "type"
  ],
  "properties": {
    "id": {
      "anyOf": [
        {
          "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
          "minLength": 1,
          "maxLength": 256,
          "type": "string"
        },
        {
          "minimum": 0,
          "type": "integer"
        }
      ]
    },
    "type": {
      "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$",
      "type": "string"
    },
    "description": {
      "type": "string"
    },
    "disabled": {
      "anyOf": [
        {
          "type": "boolean"
        },
        {
          "type": "string"
        }
      ]
    },
    "allowFailure": {
      "anyOf": [
        {
          "type": "boolean"
        },
        {
          "type": "string"
        }
      ]
    },
    "allowWarning": {
      "anyOf": [
        {
          "type": "boolean"
        },
        {
          "type": "string"
        }
      ]
    },
    "logToFile": {
      "anyOf": [
        {
          "type": "boolean"
        },
        {
          "type": "string"
        }
      ]
    },
    "timeout": {
      "type": "string"
    },
    "runIf": {
      "type": "string"
    },
    "logLevel": {
      "type": "string"
    },
    "retry": {
      "additionalProperties": true,
      "type": "object",
      "properties": {}
    },
    "workerGroup": {
      "additionalProperties": true,
      "type": "object",
      "properties": {}
    },
    "taskCache": {
      "additionalProperties": true,
      "type": "object",
      "properties": {}
    },
    "version": {
      "type": "string"
    },
    "tasks": {
      "type": "array",
      "items": {
        "anyOf": [
          {
            "$ref": "Task"
          },
          {
            "additionalProperties": false,
            "type": "object",
            "required": [
              "task"
            ],
            "properties": {
              "task": {
                "$ref": "Task"
              },
              "dependsOn": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            }
          }
        ]
      }
    },
    "errors": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "finally": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "afterExecution": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "then": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "else": {
      "type": "array",
      "items": {
        "$ref": "Task"
      }
    },
    "default": {
      "anyOf": [
        {
          "type": "array",
          "items": {
            "$ref": "Task"
          }
        },
        {}
      ]
    },
    "cases": {
      "anyOf": [
        {
          "type": "object",
          "patternProperties": {
            "^(.*)$": {
              "type": "array",
              "items": {
                "$ref": "Task"
              }
            }
          }
        },
        {
          "type": "string"
        }
      ]
    }
  }
};

export const TriggerSchema: JsonSchema = {
  "additionalProperties": true,
  "type": "object",
  "required": [
    "id",
    "type"
  ],
  "properties": {
    "id": {
      "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
      "minLength": 1,
      "maxLength": 256,
      "type": "string"
    },
    "type": {
      "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$",
      "type": "string"
    },
    "description": {
      "type": "string"
    },
    "disabled": {
      "anyOf": [
        {
          "type": "boolean"
        },
        {
          "type": "string"
        }
      ]
    },
    "conditions": {
      "type": "array",
      "items": {
        "additionalProperties": true,
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string"
          }
        }
      }
    }
  }
};

export const InputSchema: JsonSchema = {
  "additionalProperties": true,
  "type": "object",
  "required": [
    "type"
  ],
  "properties": {
    "id": {
      "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
      "type": "string"
    },
    "name": {
      "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
      "type": "string"
    },
    "type": {
      "anyOf": [
        {
          "const": "STRING",
          "type": "string"
        },
        {
          "const": "ENUM",
          "type": "string"
        },
        {
          "const": "SELECT",
          "type": "string"
        },
        {
          "const": "INT",
          "type": "string"
        },
        {
          "const": "FLOAT",
          "type": "string"
        },
        {
          "const": "BOOLEAN",
          "type": "string"
        },
        {
          "const": "BOOL",
          "type": "string"
        },
        {
          "const": "DATETIME",
          "type": "string"
        },
        {
          "const": "DATE",
          "type": "string"
        },
        {
          "const": "TIME",
          "type": "string"
        },
        {
          "const": "DURATION",
          "type": "string"
        },
        {
          "const": "FILE",
          "type": "string"
        },
        {
          "const": "JSON",
          "type": "string"
        },
        {
          "const": "URI",
          "type": "string"
        },
        {
          "const": "SECRET",
          "type": "string"
        },
        {
          "const": "ARRAY",
          "type": "string"
        },
        {
          "const": "MULTISELECT",
          "type": "string"
        },
        {
          "const": "YAML",
          "type": "string"
        },
        {
          "const": "EMAIL",
          "type": "string"
        }
      ]
    },
    "required": {
      "type": "boolean"
    },
    "description": {
      "type": "string"
    },
    "displayName": {
      "type": "string"
    },
    "dependsOn": {}
  }
};

export const OutputSchema: JsonSchema = {
  "additionalProperties": false,
  "type": "object",
  "required": [
    "id",
    "type",
    "value"
  ],
  "properties": {
    "id": {
      "pattern": "^[a-zA-Z0-9][.a-zA-Z0-9_-]*$",
      "type": "string"
    },
    "type": {
      "anyOf": [
        {
          "const": "STRING",
          "type": "string"
        },
        {
          "const": "ENUM",
          "type": "string"
        },
        {
          "const": "SELECT",
          "type": "string"
        },
        {
          "const": "INT",
          "type": "string"
        },
        {
          "const": "FLOAT",
          "type": "string"
        },
        {
          "const": "BOOLEAN",
          "type": "string"
        },
        {
          "const": "BOOL",
          "type": "string"
        },
        {
          "const": "DATETIME",
          "type": "string"
        },
        {
          "const": "DATE",
          "type": "string"
        },
        {
          "const": "TIME",
          "type": "string"
        },
        {
          "const": "DURATION",
          "type": "string"
        },
        {
          "const": "FILE",
          "type": "string"
        },
        {
          "const": "JSON",
          "type": "string"
        },
        {
          "const": "URI",
          "type": "string"
        },
        {
          "const": "SECRET",
          "type": "string"
        },
        {
          "const": "ARRAY",
          "type": "string"
        },
        {
          "const": "MULTISELECT",
          "type": "string"
        },
        {
          "const": "YAML",
          "type": "string"
        },
        {
          "const": "EMAIL",
          "type": "string"
        }
      ]
    },
    "value": {},
    "description": {
      "type": "string"
    },
    "displayName": {
      "type": "string"
    },
    "required": {
      "type": "boolean"
    }
  }
};

export const LabelsSchema: JsonSchema = {
  "description": "Labels as a list of {key, value} or as a map",
  "anyOf": [
    {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "key",
          "value"
        ],
        "properties": {
          "key": {
            "minLength": 1,
            "type": "string"
          },
          "value": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "number"
              },
              {
                "type": "boolean"
              }
            ]
          }
        }
      }
    },
    {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "number"
            },
            {
              "type": "boolean"
            }
          ]
        }
      }
    }
  ]
};

export const TenantSchema: JsonSchema = {
  "additionalProperties": false,
  "$id": "Tenant",
  "type": "object",
  "required": [
    "code"
  ],
  "properties": {
    "code": {
      "pattern": "^[a-z][a-z0-9_]*$",
      "maxLength": 64,
      "description": "Must equal the file name",
      "type": "string"
    },
    "name": {
      "type": "string"
    },
    "description": {
      "type": "string"
    },
    "namespaces": {
      "uniqueItems": true,
      "description": "Namespaces (each with everything below it) this tenant's flows may also be written into, besides the root the config's namespace pattern gives it; they may not overlap another tenant's",
      "type": "array",
      "items": {
        "pattern": "^[a-z0-9][a-z0-9._-]*$",
        "maxLength": 150,
        "type": "string"
      }
    },
    "environments": {
      "uniqueItems": true,
      "type": "array",
      "items": {
        "pattern": "^[a-z][a-z0-9_-]*$",
        "type": "string"
      }
    },
    "sources": {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "type": "boolean"
        }
      }
    },
    "schedule": {
      "type": "string"
    },
    "timezone": {
      "type": "string"
    },
    "labels": {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "number"
            },
            {
              "type": "boolean"
            }
          ]
        }
      }
    },
    "vars": {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {}
      }
    },
    "flows": {
      "description": "Per-flow switches keyed by template path, e.g. gold/carbon_forecast",
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "additionalProperties": false,
          "type": "object",
          "properties": {
            "enabled": {
              "description": "false: the flow is not rendered for this tenant at all",
              "type": "boolean"
            },
            "disabled": {
              "description": "true: deployed with Kestra's `disabled: true` (visible, not running)",
              "type": "boolean"
            }
          }
        }
      }
    }
  }
};

export const ConfigSchema: JsonSchema = {
  "additionalProperties": false,
  "$id": "FlowopsConfig",
  "type": "object",
  "properties": {
    "flows": {
      "minLength": 1,
      "description": "Folder of flow templates",
      "type": "string"
    },
    "tenants": {
      "minLength": 1,
      "description": "Folder of tenant files",
      "type": "string"
    },
    "namespace": {
      "minLength": 1,
      "description": "Namespace pattern, e.g. ${tenant.code}.${flow.folder}",
      "type": "string"
    },
    "tenantVarsSchema": {
      "minLength": 1,
      "description": "JSON Schema for tenants' vars",
      "type": "string"
    },
    "environments": {
      "type": "object",
      "patternProperties": {
        "^[a-z][a-z0-9_-]*$": {
          "anyOf": [
            {
              "additionalProperties": false,
              "type": "object",
              "properties": {
                "kestra": {
                  "additionalProperties": false,
                  "type": "object",
                  "properties": {
                    "url": {
                      "pattern": "^https?://",
                      "type": "string"
                    },
                    "tenant": {
                      "pattern": "^[a-z0-9][a-z0-9_-]*$",
                      "type": "string"
                    },
                    "usernameEnv": {
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "type": "string"
                    },
                    "passwordEnv": {
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "type": "string"
                    },
                    "tokenEnv": {
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "type": "string"
                    }
                  }
                },
                "vars": {
                  "type": "object",
                  "patternProperties": {
                    "^(.*)$": {}
                  }
                }
              }
            },
            {
              "type": "null"
            }
          ]
        }
      }
    },
    "deploy": {
      "additionalProperties": false,
      "type": "object",
      "properties": {
        "branch": {
          "type": "string"
        },
        "prune": {
          "type": "boolean"
        },
        "maxDeleteShare": {
          "minimum": 0,
          "maximum": 1,
          "type": "number"
        },
        "selfHeal": {
          "description": "The GitHub App overwrites managed flows changed or removed in Kestra by hand (drift) with what Git renders; without it, drift is only reported",
          "type": "boolean"
        },
        "approvals": {
          "minimum": 0,
          "type": "integer"
        },
        "allowedPushers": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "protectedTenants": {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      }
    },
    "lint": {
      "additionalProperties": false,
      "type": "object",
      "properties": {
        "rules": {
          "type": "object",
          "patternProperties": {
            "^(.*)$": {
              "description": "A rule's severity, or [severity, options] as in ESLint",
              "anyOf": [
                {
                  "anyOf": [
                    {
                      "const": "off",
                      "type": "string"
                    },
                    {
                      "const": "info",
                      "type": "string"
                    },
                    {
                      "const": "warning",
                      "type": "string"
                    },
                    {
                      "const": "error",
                      "type": "string"
                    }
                  ]
                },
                {
                  "type": "array",
                  "items": [
                    {
                      "anyOf": [
                        {
                          "const": "off",
                          "type": "string"
                        },
                        {
                          "const": "info",
                          "type": "string"
                        },
                        {
                          "const": "warning",
                          "type": "string"
                        },
                        {
                          "const": "error",
                          "type": "string"
                        }
                      ]
                    },
                    {
                      "description": "The rule's options (see its README)",
                      "type": "object",
                      "patternProperties": {
                        "^(.*)$": {}
                      }
                    }
                  ],
                  "additionalItems": false,
                  "minItems": 2,
                  "maxItems": 2
                }
              ]
            }
          }
        }
      }
    },
    "labels": {
      "description": "Ownership labels added to every deployed flow",
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "type": "string"
        }
      }
    }
  }
};

/** The schemas the flow schema refers to by `$ref`, to register with a validator. */
export const FLOW_SCHEMA_DEPENDENCIES: JsonSchema[] = [TaskSchema];
