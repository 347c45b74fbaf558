// The sample service items and the people, enterprises and e-licences the approval tests use.
import { createCalendar } from '#calendar';
import type { DecideInput } from '#approval/domain/decide';
import type { Application, CreditRecord, Licence, ServiceItem } from '#approval/domain/types';

export const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });

/** Wednesday 2026-11-18, 10:00 in Shanghai. */
export const NOW = '2026-11-18T02:00:00.000Z';
export const SUBMITTED = '2026-11-18T01:59:58.500Z';

export const PERSON = { kind: 'person', id: '440106199001011234', name: '张三' } as const;
export const ENTERPRISE = { kind: 'enterprise', id: '91440101MA5CXXXX0X', name: '广州市某某广告有限公司' } as const;

/** 气象证明出具 (区气象局, 秒办). */
export const weatherItem: ServiceItem = {
  itemCode: 'QX-001',
  name: '气象证明出具',
  departmentCode: 'QXJ',
  applicantKind: 'person',
  mode: 'instant',
  promisedDays: 1,
  legalDays: 20,
  materials: [
    { code: 'ID', name: '申请人身份证明', licenceType: '居民身份证', minTrustLevel: 'A' },
    { code: 'APPLY', name: '气象证明申请表', declared: true },
  ],
  rules: {
    all: [
      { id: 'QX-1', description: '所需证明的气象日期早于申请日', fact: 'form.weatherDate', op: 'before', value: 'now' },
      {
        id: 'QX-2',
        description: '证明用途为保险理赔、司法诉讼或工程建设',
        fact: 'form.purpose',
        op: 'in',
        value: ['保险理赔', '司法诉讼', '工程建设'],
      },
    ],
  },
  certificateType: '气象证明',
  version: 3,
  active: true,
};

/** 在城市建筑物、设施上悬挂、张贴宣传品审批 (区城管局, 秒批) with form rules. */
export const posterItem: ServiceItem = {
  itemCode: 'CG-017',
  name: '在城市建筑物、设施上悬挂、张贴宣传品审批',
  departmentCode: 'CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays: 3,
  legalDays: 20,
  materials: [
    { code: 'BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' },
    { code: 'APPLY', name: '宣传品设置申请表', declared: true },
    { code: 'SAMPLE', name: '宣传品样稿', declared: true, tolerable: true },
    { code: 'SITE', name: '场地使用证明', licenceType: '不动产权证书', tolerable: true },
  ],
  rules: {
    all: [
      { id: 'P-1', description: '宣传品面积不超过50平方米', fact: 'form.areaSqm', op: 'lte', value: 50 },
      { id: 'P-2', description: '悬挂期限为1至30日', fact: 'form.days', op: 'between', value: [1, 30] },
      {
        id: 'P-3',
        description: '设置地点不属于文物保护单位或交通标志',
        fact: 'form.location',
        op: 'notIn',
        value: ['文物保护单位', '交通标志'],
      },
      { id: 'P-4', description: '营业执照状态为存续', fact: 'licence.营业执照.status', op: 'eq', value: '存续' },
      {
        any: [
          { id: 'P-5', description: '宣传品不发光', fact: 'form.lit', op: 'eq', value: false },
          { id: 'P-6', description: '发光宣传品已通过消防安全检查', fact: 'form.fireChecked', op: 'eq', value: true },
        ],
      },
    ],
  },
  certificateType: '宣传品设置许可',
  version: 2,
  active: true,
};

/** 无犯罪记录证明 (公安), 告知承诺. */
export const criminalRecordItem: ServiceItem = {
  itemCode: 'GA-088',
  name: '无犯罪记录证明',
  departmentCode: 'GAJ',
  applicantKind: 'person',
  mode: 'commitment',
  promisedDays: 5,
  legalDays: 15,
  verificationDays: 10,
  materials: [
    { code: 'ID', name: '申请人身份证明', licenceType: '居民身份证' },
    { code: 'APPLY', name: '无犯罪记录证明申请表', declared: true },
    { code: 'PURPOSE', name: '用途说明', tolerable: true },
  ],
  rules: {
    all: [
      { id: 'C-1', description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18 },
      { id: 'C-2', description: '申请人户籍或居住地在本区', fact: 'applicant.residenceDistrict', op: 'eq', value: '天河区' },
    ],
  },
  certificateType: '无犯罪记录证明',
  version: 1,
  active: true,
};

/** A manual item: the machine only pre-checks. */
export const outdoorAdItem: ServiceItem = {
  itemCode: 'CG-021',
  name: '户外广告设施设置审批',
  departmentCode: 'CGJ',
  applicantKind: 'any',
  mode: 'manual',
  promisedDays: 10,
  legalDays: 20,
  materials: [
    { code: 'BL', name: '营业执照', licenceType: '营业执照' },
    { code: 'DESIGN', name: '设施设计图' },
  ],
  rules: { id: 'A-1', description: '设施高度不超过10米', fact: 'form.heightM', op: 'lte', value: 10 },
  certificateType: '户外广告设施设置许可',
  version: 5,
  active: true,
};

export const idCard: Licence = {
  licenceNo: 'SFZ-001',
  licenceType: '居民身份证',
  holderId: PERSON.id,
  issuer: '广州市公安局天河分局',
  issuedAt: '2016-03-01T00:00:00+08:00',
  validUntil: '2036-03-01',
  trustLevel: 'A',
  attributes: {},
};

export const businessLicence: Licence = {
  licenceNo: 'YYZZ-001',
  licenceType: '营业执照',
  holderId: ENTERPRISE.id,
  issuer: '广州市天河区市场监督管理局',
  issuedAt: '2019-06-01T00:00:00+08:00',
  validUntil: '2039-05-31',
  trustLevel: 'A',
  attributes: { status: '存续', legalRepresentative: '李四' },
};

export const propertyCert: Licence = {
  licenceNo: 'BDC-001',
  licenceType: '不动产权证书',
  holderId: ENTERPRISE.id,
  issuer: '广州市规划和自然资源局',
  issuedAt: '2020-01-01T00:00:00+08:00',
  validUntil: '2090-01-01',
  trustLevel: 'A',
  attributes: {},
};

export const personProfile = { birthDate: '1990-01-01', residenceDistrict: '天河区' };
export const enterpriseProfile = { status: '存续', size: '小型', region: '天河区' };

export function credit(over: Partial<CreditRecord> & Pick<CreditRecord, 'subjectId'>): CreditRecord {
  return { asOf: '2026-11-01', rating: 'A', dishonest: false, falseCommitment: false, ...over };
}

export function weatherApp(over: Partial<Application> = {}): Application {
  return {
    applicationId: 'APP-QX-1',
    itemCode: weatherItem.itemCode,
    applicant: PERSON,
    form: { weatherDate: '2026-11-10', purpose: '保险理赔' },
    materials: [{ code: 'APPLY', provided: true }],
    channel: '政务服务网',
    submittedAt: SUBMITTED,
    ...over,
  };
}

export function posterApp(over: Partial<Application> = {}): Application {
  return {
    applicationId: 'APP-CG-1',
    itemCode: posterItem.itemCode,
    applicant: ENTERPRISE,
    form: { areaSqm: 12, days: 15, location: '商业步行街', lit: false },
    materials: [
      { code: 'APPLY', provided: true },
      { code: 'SAMPLE', provided: true },
    ],
    channel: '移动端',
    submittedAt: SUBMITTED,
    ...over,
  };
}

export function criminalApp(over: Partial<Application> = {}): Application {
  return {
    applicationId: 'APP-GA-1',
    itemCode: criminalRecordItem.itemCode,
    applicant: PERSON,
    form: { purpose: '入职' },
    materials: [
      { code: 'APPLY', provided: true },
      { code: 'PURPOSE', provided: true },
    ],
    commitment: { signedAt: '2026-11-18T01:59:00Z' },
    channel: '窗口',
    submittedAt: SUBMITTED,
    ...over,
  };
}

export function outdoorApp(over: Partial<Application> = {}): Application {
  return {
    applicationId: 'APP-CG-2',
    itemCode: outdoorAdItem.itemCode,
    applicant: ENTERPRISE,
    form: { heightM: 6 },
    materials: [{ code: 'DESIGN', provided: true }],
    channel: '窗口',
    submittedAt: SUBMITTED,
    ...over,
  };
}

/** A decide input for an application, with the applicant's usual profile and e-licences. */
export function inputFor(application: Application, item: ServiceItem | undefined, over: Partial<DecideInput> = {}): DecideInput {
  const isPerson = application.applicant.kind === 'person';
  return {
    application,
    item,
    profile: isPerson ? personProfile : enterpriseProfile,
    licences: isPerson ? [idCard] : [businessLicence, propertyCert],
    now: NOW,
    calendar,
    ...over,
  };
}
